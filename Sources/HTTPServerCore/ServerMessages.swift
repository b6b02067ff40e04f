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
///
/// Its head is either one of its own or a prepared response's (`PreparedResponse`),
/// with at most one field made for this request (`RequestField`, an id): an answer
/// made per request, such as a page, then builds no header fields, and a transport
/// sends the prepared ones as it keeps them.
public struct ServerResponse: Sendable {
    private enum Head: Sendable {
        case prepared(PreparedResponse)
        case preparedAdding(PreparedResponse, RequestField)
        /// Boxed (`indirect`), so that a response stays a few words: each step of the
        /// request path passes it on. Unboxed, it was copied field by field through an
        /// outlined copy, and the prepared balance took 900 more instructions per
        /// request than before prepared heads (callgrind); boxed, it takes what it did.
        indirect case own(HTTPResponse)
    }

    private var storedHead: Head {
        didSet { statusCode = Self.statusCode(of: storedHead) }
    }
    /// `head.status.code`, read once: HTTPTypes parses it from the head on every read.
    public private(set) var statusCode: Int
    /// Whether `body` is the prepared response's, so that the response may be sent as it is.
    private var bodyIsPrepared: Bool

    /// The head; setting it (or any part of it) makes it the response's own.
    public var head: HTTPResponse {
        get {
            switch storedHead {
            case .prepared(let prepared): return prepared.head
            case .own(let head): return head
            case .preparedAdding(let prepared, let field):
                var head = prepared.head
                head.headerFields.append(HTTPField(name: field.name, value: field.value))
                return head
            }
        }
        set { storedHead = .own(newValue) }
    }
    public var body: [UInt8] {
        didSet { bodyIsPrepared = false }
    }
    /// The prepared response this one sends unchanged; nil once `head` or `body` is
    /// changed, so a transport never sends a prepared form of other bytes.
    public var prepared: PreparedResponse? {
        guard bodyIsPrepared, case .prepared(let prepared) = storedHead else { return nil }
        return prepared
    }
    /// The prepared response whose head this one has (with `requestField` added); nil
    /// when the head is the response's own.
    public var preparedHead: PreparedResponse? {
        switch storedHead {
        case .prepared(let prepared), .preparedAdding(let prepared, _): prepared
        case .own: nil
        }
    }
    /// The field added to `preparedHead`'s for this response, if one is.
    public var requestField: RequestField? {
        guard case .preparedAdding(_, let field) = storedHead else { return nil }
        return field
    }
    /// Held back this long before it is sent (or the connection dropped); the
    /// connection is suspended meanwhile, so its worker thread serves others.
    public var delay: Duration = .zero
    /// Close the connection without sending anything: a client sees the server vanish
    /// mid-request (fault injection). `head` and `body` are then ignored.
    public var dropsConnection = false

    public init(head: HTTPResponse, body: [UInt8] = []) {
        storedHead = .own(head)
        statusCode = head.status.code
        self.body = body
        bodyIsPrepared = false
    }

    public init(status: HTTPResponse.Status, headerFields: HTTPFields = [:], body: [UInt8] = []) {
        self.init(head: HTTPResponse(status: status, headerFields: headerFields), body: body)
    }

    public init(_ prepared: PreparedResponse) {
        storedHead = .prepared(prepared)
        statusCode = prepared.statusCode
        body = prepared.body
        bodyIsPrepared = true
    }

    /// `body` under `head`'s status and fields, with `field` added.
    public init(head: PreparedResponse, adding field: RequestField? = nil, body: [UInt8]) {
        storedHead = field.map { .preparedAdding(head, $0) } ?? .prepared(head)
        statusCode = head.statusCode
        self.body = body
        bodyIsPrepared = false
    }

    private static func statusCode(of head: Head) -> Int {
        switch head {
        case .prepared(let prepared), .preparedAdding(let prepared, _): prepared.statusCode
        case .own(let head): head.status.code
        }
    }

    /// The head's fields, but the one added for this request: what is kept of them to
    /// look up later (the journal's reason and warning) without building them per request.
    public var fieldsBesideRequestField: HTTPFields {
        switch storedHead {
        case .prepared(let prepared), .preparedAdding(let prepared, _): prepared.head.headerFields
        case .own(let head): head.headerFields
        }
    }

    /// This response with `fields` appended. A prepared head becomes the prepared
    /// response's kept addition for `worker` (see `PreparedResponse.adding(_:worker:)`),
    /// so nothing is made per request and no worker shares it with another.
    public mutating func append(contentsOf fields: [HTTPField], worker: Int) {
        switch storedHead {
        case .own: head.headerFields.append(contentsOf: fields)
        case .prepared(let prepared):
            let added = prepared.adding(fields, worker: worker)
            storedHead = .prepared(added)
            if bodyIsPrepared {
                body = added.body
                bodyIsPrepared = true
            }
        case .preparedAdding(let prepared, let field):
            storedHead = .preparedAdding(prepared.adding(fields, worker: worker), field)
        }
    }
}

/// A header field whose value is made for one response (a request id), added to a
/// prepared head without building that head's fields again.
///
/// A class, so that a response carries it as one reference and `append` passes it on
/// as it is; its value, up to `capacity` ASCII bytes, is kept inline, so making one is
/// one allocation, with no String to make and check.
public final class RequestField: Sendable, Equatable {
    /// The most bytes a value may have.
    public static let capacity = 32
    public let name: HTTPField.Name
    private let bytes: InlineArray<32, UInt8>
    private let count: Int

    /// `count` bytes of `value`, which must be visible ASCII (as every id is).
    public init(name: HTTPField.Name, value: InlineArray<32, UInt8>, count: Int) {
        precondition(count <= Self.capacity)
        self.name = name
        bytes = value
        self.count = count
    }

    /// `value`, at most `capacity` bytes of visible ASCII.
    public convenience init(name: HTTPField.Name, value: String) {
        let utf8 = Array(value.utf8)
        precondition(utf8.count <= Self.capacity && utf8.allSatisfy { (0x21...0x7E).contains($0) }, "not an id: \(value)")
        self.init(name: name, value: InlineArray { $0 < utf8.count ? utf8[$0] : 0 }, count: utf8.count)
    }

    /// `body` over the value's bytes.
    public func withValueBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        bytes.span.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[..<count])) }
    }

    public var value: String { withValueBytes { String(decoding: $0, as: UTF8.self) } }

    public static func == (lhs: RequestField, rhs: RequestField) -> Bool {
        lhs.name == rhs.name && lhs.withValueBytes { left in rhs.withValueBytes { left.elementsEqual($0) } }
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
