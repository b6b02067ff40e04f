import CMicroHTTPD
import Dispatch
import HTTPTypes
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on libmicrohttpd: an epoll polling thread with a pool of workers,
/// each request handed whole (head and body) to an `HTTPResponder`.
///
/// Lifetimes across the C boundary:
/// - the server passes itself unretained as every callback's context; `shutdown` stops
///   the daemon, joining its threads, before the server can go away;
/// - each request gets a `RequestContext`, retained when libmicrohttpd first reports the
///   request (URI log callback) and released in the request-completed callback; the
///   server also keeps it in `liveRequests`, because libmicrohttpd 0.9.75 skips that
///   callback for some requests it abandons (seen under ASan with a request that
///   overflowed the connection's memory pool), and releases what is left once the
///   daemon has stopped;
/// - response bodies are copied into libmicrohttpd (`MHD_RESPMEM_MUST_COPY`), so no
///   Swift buffer has to outlive the call that queues it;
/// - a delayed response suspends its connection; a timer resumes it under the daemon
///   lock, and only while the daemon runs and the connection is still listed as
///   suspended, so no resume can reach a connection the daemon has closed. The daemon
///   is stopped outside that lock: `MHD_stop_daemon` joins the workers, and a worker
///   may be waiting for the lock to suspend a connection.
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    /// The port actually bound (the kernel's choice when `configuration.port` is 0).
    public let port: Int
    let responder: any HTTPResponder

    private let daemon: PThreadLocked<DaemonState>
    private let listenDescriptor: Int32
    /// Requests that libmicrohttpd reported and has not completed, each retained once:
    /// what a graceful shutdown waits for.
    private let liveRequests = PThreadLocked<[UInt: RetainedContext]>([:])
    /// Numbers requests in the order libmicrohttpd reported them, so shutdown can wait
    /// for those in flight when it began and not for those that keep arriving.
    private let requestsBegun = Atomic<Int>(0)
    /// Set once shutdown begins: responses then close their connection, so keep-alive
    /// clients stop sending and the requests in flight drain.
    private let isShuttingDown = Atomic<Bool>(false)

    private let isIPv6: Bool

    /// Binds the listening socket, so the port is known and "address in use" is reported
    /// here; nothing is answered until `start`.
    public init(configuration: ServerConfiguration, responder: any HTTPResponder) throws(ServerStartError) {
        // A client that disconnects mid-response must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let socket = try ListeningSocket(host: configuration.host, port: configuration.port)
        self.configuration = configuration
        self.responder = responder
        self.port = socket.port
        self.listenDescriptor = socket.descriptor
        self.isIPv6 = socket.isIPv6
        self.daemon = PThreadLocked(DaemonState())
    }

    /// Starts the daemon; returns once connections are being accepted. Separate from
    /// `init` so a process can first trap its shutdown signals: a client that is
    /// answered may then stop the process at once and still get a graceful exit.
    public func start() throws(ServerStartError) {
        var flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_USE_ITC.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
        if isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        let settings = CMicroHTTPD_daemon_settings(
            flags: flags,
            listen_socket: listenDescriptor,
            thread_pool_size: UInt32(max(1, configuration.threads)),
            connection_limit: UInt32(max(1, configuration.connectionLimit)),
            connection_timeout_seconds: UInt32(max(1, configuration.idleTimeoutSeconds)),
            // Room for the largest head we answer ourselves (431/414) plus the read
            // buffer; heads beyond it are refused by libmicrohttpd with 431/414 too.
            // libmicrohttpd grows each connection's read buffer into this pool, so a
            // larger pool costs memory on every busy connection (1 MiB: 137 MiB RSS at
            // 200 connections, against 20 MiB idle).
            connection_memory_limit: configuration.maxHeadSize * 4
        )
        let context = Unmanaged.passUnretained(self).toOpaque()
        let failed = daemon.withLock { state -> Bool in
            guard state.pointer == nil, !state.stopped else { return false }
            state.pointer = CMicroHTTPD_start_daemon(settings, accessHandler, context, requestStarted, context, requestCompleted, context)
            return state.pointer == nil
        }
        if failed { throw .daemonFailed }
    }

    deinit {
        stopDaemon()
    }

    /// Answers every request with `Connection: close` from now on, sends at once the
    /// responses waiting out a delay, lets the requests in flight finish for up to
    /// `gracePeriod`, then stops the daemon, which closes the listening socket and every
    /// connection. Safe to call more than once.
    ///
    /// Not `MHD_quiesce_daemon`: on an epoll daemon with worker threads it races with a
    /// worker removing the listening socket from its epoll set at the same moment, and
    /// libmicrohttpd 0.9.75 aborts the process when it loses ("Failed to remove listen
    /// FD from epoll set": once in CI, once in four runs of the shutdown stress test).
    public func shutdown(gracePeriod: Duration = .milliseconds(500)) {
        isShuttingDown.store(true, ordering: .releasing)
        let running = daemon.withLock { state in
            // No new suspensions; the suspended connections deliver their responses now.
            state.suspends = false
            state.suspended.forEach { MHD_resume_connection(OpaquePointer(bitPattern: $0)) }
            state.suspended.removeAll()
            return state.pointer != nil
        }
        if running {
            let lastInFlight = requestsBegun.load(ordering: .acquiring)
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: gracePeriod)
            while liveRequests.withLock({ $0.values.contains { $0.number <= lastInFlight } }), clock.now < deadline {
                usleep(2_000)
            }
        }
        stopDaemon()
    }

    private func stopDaemon() {
        let pointer = daemon.withLock { state -> OpaquePointer? in
            defer {
                state.stopped = true
                state.pointer = nil
                state.suspends = false
            }
            guard let pointer = state.pointer else {
                // Never started: the socket is still ours to close (once).
                if !state.stopped { close(listenDescriptor) }
                return nil
            }
            // libmicrohttpd refuses to stop with suspended connections: wake them; the
            // daemon closes them as it winds down.
            state.suspended.forEach { MHD_resume_connection(OpaquePointer(bitPattern: $0)) }
            state.suspended.removeAll()
            return pointer
        }
        // Outside the lock: this joins the workers, and one may be waiting for it.
        if let pointer { MHD_stop_daemon(pointer) }
        // The daemon's threads are joined: no callback can still use these.
        let abandoned = liveRequests.withLock { live in
            defer { live.removeAll() }
            return Array(live.values)
        }
        abandoned.forEach { $0.context.release() }
    }

    // MARK: Per-request work, called from the C callbacks below

    /// A new request's context, retained until `end`.
    ///
    /// `uri` is the request target in libmicrohttpd's own read buffer, which 0.9.75
    /// splits into query parameters only after this call (`parse_initial_message_line`).
    /// A target with too many parameters gets its query cut off there (a NUL after the
    /// `?`), so libmicrohttpd stores none of them and the request is refused whole in
    /// `receiveHead`; its context keeps the target as sent.
    fileprivate func begin(uri: UnsafePointer<CChar>?) -> UnsafeMutableRawPointer {
        let target = uri.map { String(cString: $0) } ?? ""
        let tooManyParameters = Self.queryParameterCount(target) > configuration.maxQueryParameters
        if tooManyParameters, let uri, let question = strchr(uri, Int32(UInt8(ascii: "?"))) {
            UnsafeMutablePointer(mutating: question + 1).pointee = 0
        }
        let context = Unmanaged.passRetained(RequestContext(target: target, tooManyQueryParameters: tooManyParameters))
        let pointer = context.toOpaque()
        let number = requestsBegun.add(1, ordering: .relaxed).newValue
        liveRequests.withLock { $0[UInt(bitPattern: pointer)] = RetainedContext(context: context, number: number) }
        return pointer
    }

    /// The `&`-separated fields after the first `?`, as libmicrohttpd counts them.
    private static func queryParameterCount(_ target: String) -> Int {
        guard let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return 0 }
        return target.utf8[question...].reduce(1) { $1 == UInt8(ascii: "&") ? $0 + 1 : $0 }
    }

    fileprivate func end(_ pointer: UnsafeMutableRawPointer) {
        let removed = liveRequests.withLock { $0.removeValue(forKey: UInt(bitPattern: pointer)) }
        removed?.context.release()
    }

    fileprivate func handle(
        _ connection: OpaquePointer,
        _ context: RequestContext,
        method: UnsafePointer<CChar>,
        version: UnsafePointer<CChar>,
        uploadData: UnsafePointer<CChar>?,
        uploadSize: UnsafeMutablePointer<Int>
    ) -> MHD_Result {
        if let delayed = context.delayedResponse {
            // Called again after `resume`: the delay is over.
            context.delayedResponse = nil
            return deliver(delayed, on: connection, closing: context.mustCloseAfterResponse)
        }
        if !context.headersCollected {
            return receiveHead(connection, context, method: String(cString: method), version: String(cString: version))
        }
        if uploadSize.pointee > 0 {
            return receiveBodyChunk(context, data: uploadData, size: uploadSize)
        }
        let response: ServerResponse
        if context.receivedBodyBytes > configuration.maxBodySize {
            response = responder.respond(toRejected: context.head, reason: .bodyTooLarge(limit: configuration.maxBodySize))
        } else {
            response = responder.respond(to: ServerRequest(head: context.head, body: context.body))
        }
        if response.delay > .zero, suspend(connection, for: response.delay) {
            context.delayedResponse = response
            return .YES
        }
        return deliver(response, on: connection, closing: context.mustCloseAfterResponse)
    }

    /// Sends the response, or answers `NO` so libmicrohttpd closes the connection
    /// without a byte when the response asks to be dropped.
    private func deliver(_ response: ServerResponse, on connection: OpaquePointer, closing: Bool) -> MHD_Result {
        response.dropsConnection ? .NO : queue(response, on: connection, closing: closing)
    }

    /// Parks the connection (its worker goes on serving others) and wakes it after
    /// `delay`, unless shutdown has woken it before. False once shutdown has begun: the
    /// response is then sent without its delay.
    private func suspend(_ connection: OpaquePointer, for delay: Duration) -> Bool {
        let address = UInt(bitPattern: connection)
        let suspended = daemon.withLock { state in
            guard state.suspends else { return false }
            MHD_suspend_connection(connection)
            state.suspended.insert(address)
            return true
        }
        guard suspended else { return false }
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { [self] in
            daemon.withLock { state in
                guard state.pointer != nil, state.suspended.remove(address) != nil else { return }
                MHD_resume_connection(OpaquePointer(bitPattern: address))
            }
        }
        return true
    }

    /// First call for a request: gather the head and refuse early what must be refused.
    private func receiveHead(_ connection: OpaquePointer, _ context: RequestContext, method: String, version: String) -> MHD_Result {
        context.headersCollected = true
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        MHD_get_connection_values_n(connection, .HEADER_KIND, collectHeaderField, contextPointer)

        guard let parsedMethod = HTTPRequest.Method(method) else {
            return queue(responder.respond(toRejected: context.head, reason: .malformedMethod), on: connection)
        }
        context.head.method = parsedMethod
        let limit = configuration.maxHeadSize
        let requestLineSize = method.utf8.count + context.target.utf8.count + "  HTTP/1.1\r\n".utf8.count
        if requestLineSize > limit {
            return queue(responder.respond(toRejected: context.head, reason: .requestLineTooLong(limit: limit)), on: connection)
        }
        if requestLineSize + context.headerBytes > limit {
            return queue(responder.respond(toRejected: context.head, reason: .headTooLarge(limit: limit)), on: connection)
        }
        if context.tooManyQueryParameters {
            let reason = RequestRejection.tooManyQueryParameters(limit: configuration.maxQueryParameters)
            return queue(responder.respond(toRejected: context.head, reason: reason), on: connection)
        }
        if let problem = context.headerProblem(isHTTP11: version == "HTTP/1.1") {
            return queue(responder.respond(toRejected: context.head, reason: .malformedHeader(problem)), on: connection)
        }
        if let declared = context.head.headerFields[.contentLength].flatMap(Int.init), declared > configuration.maxBodySize {
            return queue(responder.respond(toRejected: context.head, reason: .bodyTooLarge(limit: configuration.maxBodySize)), on: connection)
        }
        return .YES
    }

    /// A piece of the body: kept up to the limit, then counted and dropped so the
    /// answer can still be a 413 rather than a cut connection.
    private func receiveBodyChunk(_ context: RequestContext, data: UnsafePointer<CChar>?, size: UnsafeMutablePointer<Int>) -> MHD_Result {
        let count = size.pointee
        size.pointee = 0
        context.receivedBodyBytes += count
        if context.receivedBodyBytes <= configuration.maxBodySize, let data {
            data.withMemoryRebound(to: UInt8.self, capacity: count) {
                context.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
            }
            return .YES
        }
        context.body = []
        // Past eight times the limit, stop reading a body that will be refused anyway.
        return context.receivedBodyBytes > configuration.maxBodySize * 8 ? .NO : .YES
    }

    private func queue(_ response: ServerResponse, on connection: OpaquePointer, closing: Bool = false) -> MHD_Result {
        let mhdResponse = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let mhdResponse else { return .NO }
        defer { MHD_destroy_response(mhdResponse) }
        for field in response.head.headerFields where field.name != .contentLength {
            guard MHD_add_response_header(mhdResponse, field.name.rawName, field.value) == .YES else { return .NO }
        }
        if closing || isShuttingDown.load(ordering: .acquiring) {
            MHD_add_response_header(mhdResponse, "Connection", "close")
        }
        return MHD_queue_response(connection, UInt32(response.head.status.code), mhdResponse)
    }
}

/// A request's retained context in the server's registry; the registry only stores
/// it and releases it, never uses it, so it may cross threads.
private struct RetainedContext: @unchecked Sendable {
    let context: Unmanaged<RequestContext>
    /// The request's place in the order they began.
    let number: Int
}

/// The daemon pointer and the connections suspended for a delayed response, owned by
/// `HTTPServer` and only touched under its lock.
private struct DaemonState: @unchecked Sendable {
    var pointer: OpaquePointer?
    /// Set by the first stop; a stopped server does not start again.
    var stopped = false
    /// Cleared when shutdown begins: delayed responses are then sent at once.
    var suspends = true
    var suspended: Set<UInt> = []
}

/// What one request accumulates across libmicrohttpd's calls. Only the worker thread
/// that owns the connection touches it.
final class RequestContext {
    let target: String
    /// More than `ServerConfiguration.maxQueryParameters`: refused on the first call.
    let tooManyQueryParameters: Bool
    var head: HTTPRequest
    var headersCollected = false
    var headerBytes = 0
    var body: [UInt8] = []
    var receivedBodyBytes = 0
    /// A response waiting out its delay while the connection is suspended.
    var delayedResponse: ServerResponse?
    /// A field name HTTP does not allow (libmicrohttpd passes some through).
    private var invalidFieldName = false
    /// Transfer-Encoding and Content-Length together: answer, then close, so nothing
    /// smuggled after the body is read as a request (RFC 9112 §6.3).
    var mustCloseAfterResponse: Bool {
        head.headerFields.contains(.transferEncoding) && head.headerFields.contains(.contentLength)
    }

    init(target: String, tooManyQueryParameters: Bool) {
        self.target = target
        self.tooManyQueryParameters = tooManyQueryParameters
        self.head = HTTPRequest(method: .get, scheme: nil, authority: nil, path: target)
    }

    func addHeaderField(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        headerBytes += name.count + value.count + 4
        guard let fieldName = HTTPField.Name(String(decoding: name, as: UTF8.self)) else {
            invalidFieldName = true
            return
        }
        head.headerFields.append(HTTPField(name: fieldName, lenientValue: value))
    }

    /// What makes this head malformed for HTTP although libmicrohttpd accepted it.
    /// One pass over the fields, with no array or set per request.
    func headerProblem(isHTTP11: Bool) -> String? {
        if invalidFieldName { return "a header field name is not a valid token" }
        var hosts = 0
        var contentLength: String?
        var conflictingLengths = false
        var codings = 0
        var onlyChunked = true
        for field in head.headerFields {
            switch field.name {
            case Self.host:
                hosts += 1
            case .contentLength:
                if let contentLength, contentLength != field.value { conflictingLengths = true }
                contentLength = field.value
            case .transferEncoding:
                codings += 1
                onlyChunked = onlyChunked && field.value.lowercased() == "chunked"
            default:
                break
            }
        }
        // HTTPTypes models Host as the request's authority; on HTTP/1.1 it is a field.
        if hosts > 1 { return "more than one Host header field" }
        if hosts == 0, isHTTP11 { return "an HTTP/1.1 request needs a Host header field" }
        if conflictingLengths { return "conflicting Content-Length values" }
        // libmicrohttpd decodes a body only when the field is exactly `chunked` (any case);
        // with anything else it would read the body until the client closes (RFC 9112
        // §6.3: answer 400 and close).
        if codings > 1 || !onlyChunked {
            return "unsupported Transfer-Encoding (only a single chunked coding is accepted)"
        }
        return nil
    }

    private static let host = HTTPField.Name("Host")!
}

// MARK: - C callbacks

private let requestStarted: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?) -> UnsafeMutableRawPointer? = { serverPointer, uri, _ in
    guard let serverPointer else { return nil }
    let server = Unmanaged<HTTPServer>.fromOpaque(serverPointer).takeUnretainedValue()
    return server.begin(uri: uri)
}

private let requestCompleted: MHD_RequestCompletedCallback = { serverPointer, _, contextSlot, _ in
    guard let serverPointer, let contextSlot, let contextPointer = contextSlot.pointee else { return }
    contextSlot.pointee = nil
    Unmanaged<HTTPServer>.fromOpaque(serverPointer).takeUnretainedValue().end(contextPointer)
}

private let accessHandler: MHD_AccessHandlerCallback = { serverPointer, connection, _, method, version, uploadData, uploadSize, contextSlot in
    guard let serverPointer, let connection, let method, let version, let uploadSize,
          let contextPointer = contextSlot?.pointee
    else { return .NO }
    let server = Unmanaged<HTTPServer>.fromOpaque(serverPointer).takeUnretainedValue()
    let context = Unmanaged<RequestContext>.fromOpaque(contextPointer).takeUnretainedValue()
    return server.handle(connection, context, method: method, version: version, uploadData: uploadData, uploadSize: uploadSize)
}

private let collectHeaderField: MHD_KeyValueIteratorN = { contextPointer, _, key, keySize, value, valueSize in
    guard let contextPointer, let key else { return .YES }
    let context = Unmanaged<RequestContext>.fromOpaque(contextPointer).takeUnretainedValue()
    key.withMemoryRebound(to: UInt8.self, capacity: keySize) { keyBytes in
        let name = UnsafeBufferPointer(start: keyBytes, count: keySize)
        guard let value else {
            context.addHeaderField(name: name, value: UnsafeBufferPointer(start: nil, count: 0))
            return
        }
        value.withMemoryRebound(to: UInt8.self, capacity: valueSize) {
            context.addHeaderField(name: name, value: UnsafeBufferPointer(start: $0, count: valueSize))
        }
    }
    return .YES
}
