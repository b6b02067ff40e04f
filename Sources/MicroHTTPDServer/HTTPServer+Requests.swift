import CMicroHTTPD
import Dispatch
import HTTPServerCore
import HTTPTypes

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The work per request, called from the C callbacks in `MicroHTTPDCallbacks.swift`.
extension HTTPServer {
    /// A connection libmicrohttpd has just opened: its context, retained until `closed`.
    ///
    /// Called on the worker thread that accepted the connection, which serves it from
    /// then on: the context is given that worker's number.
    func opened(_ connection: OpaquePointer) -> UnsafeMutableRawPointer {
        let thread = pthread_self()
        let worker = workerNumbers.withLock { numbers in
            if let number = numbers[thread] { return number }
            numbers[thread] = numbers.count
            return numbers.count - 1
        }
        let context = Unmanaged.passRetained(ConnectionContext(worker: worker))
        let pointer = context.toOpaque()
        connections.withLock { $0[UInt(bitPattern: pointer)] = RetainedConnection(context: context) }
        return pointer
    }

    func closed(_ pointer: UnsafeMutableRawPointer) {
        let removed = connections.withLock { $0.removeValue(forKey: UInt(bitPattern: pointer)) }
        removed?.context.release()
    }

    /// A new request on `connection`: its state starts afresh in the connection's
    /// context, which becomes the request's context for the calls that follow.
    ///
    /// `uri` is the request target in libmicrohttpd's own read buffer, which 0.9.75
    /// splits into query parameters only after this call (`parse_initial_message_line`).
    /// A target with too many parameters gets its query cut off there (a NUL after the
    /// `?`), so libmicrohttpd stores none of them and the request is refused whole in
    /// `receiveHead`; the request keeps the target as sent.
    func begin(uri: UnsafePointer<CChar>?, on connection: OpaquePointer) -> UnsafeMutableRawPointer? {
        guard let pointer = CMicroHTTPD_connection_context(connection) else { return nil }
        withObject(at: pointer, as: ConnectionContext.self) { start(uri: uri, in: $0) }
        return pointer
    }

    private func start(uri: UnsafePointer<CChar>?, in context: ConnectionContext) {
        let target = uri.map { String(cString: $0) } ?? ""
        let tooManyParameters = Self.queryParameterCount(target) > configuration.maxQueryParameters
        if tooManyParameters, let uri, let question = strchr(uri, Int32(UInt8(ascii: "?"))) {
            UnsafeMutablePointer(mutating: question + 1).pointee = 0
        }
        let now = ContinuousClock.now
        context.state.start(target: target, tooManyQueryParameters: tooManyParameters, receivedAt: now)
        context.beganAt.store(nanosecondsSinceStart(now), ordering: .releasing)
    }

    /// The `&`-separated fields after the first `?`, as libmicrohttpd counts them.
    private static func queryParameterCount(_ target: String) -> Int {
        var target = target
        return target.withUTF8 { bytes in
            guard let question = bytes.firstIndex(of: UInt8(ascii: "?")) else { return 0 }
            return bytes[question...].reduce(1) { $1 == UInt8(ascii: "&") ? $0 + 1 : $0 }
        }
    }

    /// `instant` as a `ConnectionContext.beganAt`: nanoseconds since the server was made, never 0.
    func nanosecondsSinceStart(_ instant: ContinuousClock.Instant) -> Int {
        Int(truncatingIfNeeded: (instant - made).attoseconds / 1_000_000_000) + 1
    }

    /// The request is over (answered, or abandoned by libmicrohttpd).
    func end(_ pointer: UnsafeMutableRawPointer) {
        withObject(at: pointer, as: ConnectionContext.self) { context in
            context.state.request.body = []
            context.beganAt.store(0, ordering: .releasing)
        }
    }

    func handle(
        _ connection: OpaquePointer,
        _ context: ConnectionContext,
        method: UnsafePointer<CChar>,
        version: UnsafePointer<CChar>,
        uploadData: UnsafePointer<CChar>?,
        uploadSize: UnsafeMutablePointer<Int>
    ) -> MHD_Result {
        switch context.state.phase {
        case .delayed(let response):
            // Called again after `resume`: the delay is over.
            context.state.phase = .body
            return deliver(response, on: connection, closing: context.state.validation.closesAfterResponse)
        case .head:
            return receiveHead(connection, context, method: method, version: version)
        case .body where uploadSize.pointee > 0:
            receiveBodyChunk(context, data: uploadData, size: uploadSize)
            // Past eight times the limit, stop reading a body that will be refused anyway.
            return context.state.receivedBodyBytes > configuration.maxBodySize * 8 ? .NO : .YES
        case .body:
            let response: ServerResponse
            if context.state.receivedBodyBytes > configuration.maxBodySize {
                context.state.request.body = []
                response = responder.respond(toRejected: context.state.request, reason: .bodyTooLarge(limit: configuration.maxBodySize))
            } else {
                response = answer(&context.state.request)
            }
            if response.delay > .zero, suspend(connection, for: response.delay) {
                context.state.phase = .delayed(response)
                return .YES
            }
            return deliver(response, on: connection, closing: context.state.validation.closesAfterResponse)
        }
    }

    /// The responder's answer to `request`, lent from the connection's context: `inout`,
    /// so the request is borrowed in place where passing `context.state.request` copied
    /// it (a retain and a release of its target, header fields and body).
    private func answer(_ request: inout ServerRequest) -> ServerResponse {
        responder.respond(to: request)
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
    private func receiveHead(
        _ connection: OpaquePointer, _ context: ConnectionContext, method: UnsafePointer<CChar>, version: UnsafePointer<CChar>
    ) -> MHD_Result {
        context.state.phase = .body
        // Room for a usual head at once, instead of growing the buffer field by field.
        context.state.request.headers.reserveCapacity(512)
        MHD_get_connection_values_n(connection, .HEADER_KIND, collectHeaderField, Unmanaged.passUnretained(context).toOpaque())
        guard let parsedMethod = Self.method(method) else {
            return queue(responder.respond(toRejected: context.state.request, reason: .malformedMethod), on: connection)
        }
        context.state.request.method = parsedMethod
        let isHTTP11 = strcmp(version, "HTTP/1.1") == 0
        if let refusal = refusal(of: context, methodLength: strlen(method), isHTTP11: isHTTP11) {
            return queue(responder.respond(toRejected: context.state.request, reason: refusal), on: connection)
        }
        return .YES
    }

    /// The request's method; GET and POST, which every provider route uses, without
    /// making a String first. Nil when the method is not a token.
    private static func method(_ name: UnsafePointer<CChar>) -> HTTPRequest.Method? {
        if strcmp(name, "GET") == 0 { return .get }
        if strcmp(name, "POST") == 0 { return .post }
        return HTTPRequest.Method(String(cString: name))
    }

    /// Why the head must be refused before any body is read, if it must. It reads the
    /// context's state field by field: a `RequestState` passed by value was a copy of the
    /// request (a retain and a release of its target, header fields and body).
    private func refusal(of context: ConnectionContext, methodLength: Int, isHTTP11: Bool) -> RequestRejection? {
        let limit = configuration.maxHeadSize
        let requestLineSize = methodLength + context.state.request.target.utf8.count + "  HTTP/1.1\r\n".utf8.count
        if requestLineSize > limit { return .requestLineTooLong(limit: limit) }
        if requestLineSize + context.state.headerBytes > limit { return .headTooLarge(limit: limit) }
        if context.state.tooManyQueryParameters { return .tooManyQueryParameters(limit: configuration.maxQueryParameters) }
        if let problem = context.state.validation.problem(isHTTP11: isHTTP11) { return .malformedHeader(problem) }
        if let declared = context.state.validation.firstContentLength, declared > UInt64(configuration.maxBodySize) {
            return .bodyTooLarge(limit: configuration.maxBodySize)
        }
        return nil
    }

    /// A piece of the body: kept up to the limit, then counted and dropped so the
    /// answer can still be a 413 rather than a cut connection.
    private func receiveBodyChunk(_ context: ConnectionContext, data: UnsafePointer<CChar>?, size: UnsafeMutablePointer<Int>) {
        let count = size.pointee
        size.pointee = 0
        context.state.receivedBodyBytes += count
        guard context.state.receivedBodyBytes <= configuration.maxBodySize, let data else {
            context.state.request.body = []
            return
        }
        data.withMemoryRebound(to: UInt8.self, capacity: count) {
            context.state.request.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
        }
    }

    private func queue(_ response: ServerResponse, on connection: OpaquePointer, closing: Bool = false) -> MHD_Result {
        let closes = closing || isShuttingDown.load(ordering: .acquiring)
        // A prepared answer is sent as made once; one that must say `Connection: close` is made afresh.
        if let prepared = response.prepared, !closes {
            return PreparedMHDResponse.queue(prepared, on: connection)
        }
        // An answer under a prepared head gets that head's fields as the server keeps them.
        let made =
            if let prepared = response.preparedHead {
                PreparedMHDResponse.response(prepared, adding: response.requestField, body: response.body)
            } else {
                ResponseBody.response(head: response.head, body: response.body)
            }
        guard let mhdResponse = made else { return .NO }
        defer { MHD_destroy_response(mhdResponse) }
        if closes {
            MHD_add_response_header(mhdResponse, "Connection", "close")
        }
        return MHD_queue_response(connection, UInt32(response.statusCode), mhdResponse)
    }
}
