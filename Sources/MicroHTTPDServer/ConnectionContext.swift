import HTTPServerCore
import Synchronization

/// What the server keeps for one open connection: made when libmicrohttpd opens it,
/// reused by every request on it, released when it closes.
///
/// Only the worker serving the connection touches `state`; `beganAt` is also read by a
/// shutdown that waits for the requests in flight.
final class ConnectionContext {
    /// When the request being answered began (`HTTPServer.nanosecondsSinceStart`), 0
    /// between requests. A time, not a shared counter: no line that every worker writes.
    let beganAt = Atomic<Int>(0)
    /// The worker thread that serves the connection (libmicrohttpd keeps a connection on
    /// the worker that accepted it): `ServerRequest.worker`.
    let worker: Int
    private let statePointer = UnsafeMutablePointer<RequestState>.allocate(capacity: 1)

    /// The request under way, read and changed in place through a pointer: as a class's
    /// stored property, each access was checked for exclusivity at run time (about 700
    /// instructions per request), where one worker thread is all that ever touches it.
    var state: RequestState {
        unsafeAddress { UnsafePointer(statePointer) }
        unsafeMutableAddress { statePointer }
    }

    init(worker: Int) {
        self.worker = worker
        statePointer.initialize(to: RequestState(worker: worker))
    }

    deinit {
        statePointer.deinitialize(count: 1)
        statePointer.deallocate()
    }
}

/// One request as it crosses libmicrohttpd's calls, which are made once for the head,
/// once per piece of body, once when the body is complete, and once more after a
/// suspended connection is resumed.
struct RequestState {
    enum Phase {
        /// The head has not been looked at yet.
        case head
        /// The head is accepted; body pieces (maybe none) arrive until a call with none.
        case body
        /// The answer is made and waits out its delay while the connection is suspended.
        case delayed(ServerResponse)
    }

    var phase = Phase.head
    /// Method, target, header fields and body as they arrive; the method is set once
    /// it is known to be a token.
    var request: ServerRequest
    /// More than `ServerConfiguration.maxQueryParameters`: refused on the first call.
    var tooManyQueryParameters = false
    /// Bytes of the header fields as received, for the head-size limit.
    var headerBytes = 0
    var validation = HeadValidation()
    var receivedBodyBytes = 0

    init(worker: Int) {
        request = ServerRequest(method: .get, target: "", worker: worker)
    }

    /// A new request on the connection: every field starts afresh, in place.
    mutating func start(target: String, tooManyQueryParameters: Bool, receivedAt: ContinuousClock.Instant) {
        phase = .head
        request.method = .get
        request.target = target
        request.headers = RequestHeaders()
        request.body = []
        request.receivedAt = receivedAt
        self.tooManyQueryParameters = tooManyQueryParameters
        headerBytes = 0
        validation = HeadValidation()
        receivedBodyBytes = 0
    }

    mutating func addHeaderField(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        headerBytes += name.count + value.count + 4
        validation.add(name: name, value: value)
        request.headers.append(name: name, value: value)
    }
}
