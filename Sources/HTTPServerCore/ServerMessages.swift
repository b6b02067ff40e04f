import HTTPTypes

/// A complete request as the server hands it to a responder: method, the raw request
/// target (still percent-encoded, query string included), the header fields as
/// received, and the whole body.
public struct ServerRequest: Sendable {
    public var method: HTTPRequest.Method
    public var target: String
    public var headers: RequestHeaders
    public var body: [UInt8]
    /// When its request line arrived: the server reads the clock once per request, and
    /// a responder measures from here instead of reading it again.
    public var receivedAt: ContinuousClock.Instant
    /// The server's worker thread that answers it, numbered from 0: a responder may keep
    /// state per worker, which workers then never share (no lock they contend for, no
    /// memory one allocates and another frees). Requests made in-process say 0.
    public var worker: Int

    /// Workers that get state of their own in a responder (the journal's rings, the
    /// access log's buffers, the served scenario's routers); a worker past them shares
    /// the slot `worker % workerSlots`.
    public static let workerSlots = 16

    public init(
        method: HTTPRequest.Method, target: String, headers: RequestHeaders = RequestHeaders(), body: [UInt8] = [],
        receivedAt: ContinuousClock.Instant = .now, worker: Int = 0
    ) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
        self.worker = worker
    }

    /// A request from an HTTPTypes head (its path is the target), as tests and tools make them.
    public init(head: HTTPRequest, body: [UInt8] = []) {
        self.init(method: head.method, target: head.path ?? "", headers: RequestHeaders(head.headerFields), body: body)
    }
}

/// A complete response: status, header fields and body bytes, and how to deliver it.
///
/// `Content-Length` is set by the server from `body`; a responder never sets it.
public struct ServerResponse: Sendable {
    public var head: HTTPResponse {
        didSet { prepared = nil }
    }
    public var body: [UInt8] {
        didSet { prepared = nil }
    }
    /// The prepared response this one sends unchanged; nil once `head` or `body` is
    /// changed, so a transport never sends a prepared form of other bytes.
    public private(set) var prepared: PreparedResponse?
    /// Held back this long before it is sent (or the connection dropped); the
    /// connection is suspended meanwhile, so its worker thread serves others.
    public var delay: Duration = .zero
    /// Close the connection without sending anything: a client sees the server vanish
    /// mid-request (fault injection). `head` and `body` are then ignored.
    public var dropsConnection = false

    public init(head: HTTPResponse, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    public init(status: HTTPResponse.Status, headerFields: HTTPFields = [:], body: [UInt8] = []) {
        self.init(head: HTTPResponse(status: status, headerFields: headerFields), body: body)
    }

    /// `head.status.code`, without parsing it again when the response is a prepared one.
    public var statusCode: Int { prepared?.statusCode ?? head.status.code }

    public init(_ prepared: PreparedResponse) {
        self.init(head: prepared.head, body: prepared.body)
        self.prepared = prepared
    }

    /// This response with `fields` appended: a prepared one becomes the prepared
    /// response's kept addition for `worker` (see `PreparedResponse.adding(_:worker:)`),
    /// so nothing is made per request and no worker shares it with another.
    public mutating func append(contentsOf fields: [HTTPField], worker: Int) {
        guard let prepared else { return head.headerFields.append(contentsOf: fields) }
        let added = prepared.adding(fields, worker: worker)
        head = added.head
        body = added.body
        self.prepared = added
    }
}

/// Why the server refused a request before it reached `HTTPResponder.respond(to:)`.
public enum RequestRejection: Sendable, Equatable {
    /// The body is larger than `ServerConfiguration.maxBodySize` (declared or streamed).
    case bodyTooLarge(limit: Int)
    /// The request line is longer than `ServerConfiguration.maxHeadSize`.
    case requestLineTooLong(limit: Int)
    /// Request line and header fields together exceed `ServerConfiguration.maxHeadSize`.
    case headTooLarge(limit: Int)
    /// The target has more query parameters than `ServerConfiguration.maxQueryParameters`.
    case tooManyQueryParameters(limit: Int)
    /// The method is not a valid HTTP token.
    case malformedMethod
    /// A header field libmicrohttpd let through but HTTP forbids (RFC 9112 §3.2, §5,
    /// §6.3): an invalid field name, a missing or repeated Host, conflicting
    /// Content-Lengths. The text says which.
    case malformedHeader(String)
}

/// What the server calls, on one of its pool threads, for every request.
///
/// Implementations must be thread-safe: requests on different connections run
/// concurrently.
public protocol HTTPResponder: Sendable {
    func respond(to request: ServerRequest) -> ServerResponse
    /// The answer to a request the server refused before its body; `request` is as
    /// much as was parsed, with no body.
    func respond(toRejected request: ServerRequest, reason: RequestRejection) -> ServerResponse
}
