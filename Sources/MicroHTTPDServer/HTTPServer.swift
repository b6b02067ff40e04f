import CMicroHTTPD
import HTTPServerCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on libmicrohttpd: an epoll polling thread with a pool of workers,
/// each request handed whole (head and body) to an `HTTPResponder`.
///
/// This file is the daemon's lifecycle; `HTTPServer+Requests.swift` is the work per
/// request and `MicroHTTPDCallbacks.swift` the C functions libmicrohttpd calls.
///
/// Lifetimes across the C boundary:
/// - the server passes itself unretained as every callback's context; `shutdown` stops
///   the daemon, joining its threads, before the server can go away;
/// - each connection gets a `ConnectionContext` when libmicrohttpd opens it, retained in
///   `connections` and released when libmicrohttpd closes it; its requests reuse it. What
///   is still listed once the daemon has stopped is released then, so a close that
///   libmicrohttpd never reports cannot leak one. A request itself takes no lock and
///   allocates no context;
/// - response bodies are lent to libmicrohttpd, not copied (`ResponseBody`): each is
///   retained until libmicrohttpd's free callback says the response is done with;
/// - a prepared answer's libmicrohttpd response is kept by the prepared answer and
///   queued for many requests; destroying it drops only that one use
///   (`PreparedMHDResponse`);
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

    let daemon: PThreadLocked<DaemonState>
    private let listenDescriptor: Int32
    /// The connections libmicrohttpd has open, each context retained once: what a
    /// graceful shutdown looks through for requests in flight.
    let connections = PThreadLocked<[UInt: RetainedConnection]>([:])
    /// Each worker thread's number, given when it opens its first connection.
    let workerNumbers = PThreadLocked<[pthread_t: Int]>([:])
    /// What request start times are measured from, so shutdown can wait for the
    /// requests in flight when it began and not for those that keep arriving.
    let made = ContinuousClock.now
    /// Set once shutdown begins: responses then close their connection, so keep-alive
    /// clients stop sending and the requests in flight drain.
    let isShuttingDown = Atomic<Bool>(false)

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
            // larger pool costs memory on every busy connection.
            connection_memory_limit: configuration.maxHeadSize * 4
        )
        let context = Unmanaged.passUnretained(self).toOpaque()
        let failed = daemon.withLock { state -> Bool in
            guard state.pointer == nil, !state.stopped else { return false }
            state.pointer = CMicroHTTPD_start_daemon(
                settings, accessHandler, context, requestStarted, context, requestCompleted, context, connectionChanged, context)
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
    /// FD from epoll set").
    public func shutdown(gracePeriod: Duration = .milliseconds(500)) {
        isShuttingDown.store(true, ordering: .releasing)
        let running = daemon.withLock { state in
            // No new suspensions; the suspended connections deliver their responses now.
            state.suspends = false
            for connection in state.suspended { MHD_resume_connection(OpaquePointer(bitPattern: connection)) }
            state.suspended.removeAll()
            return state.pointer != nil
        }
        if running {
            let lastInFlight = nanosecondsSinceStart(.now)
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: gracePeriod)
            while connections.withLock({ $0.values.contains { $0.isAnswering(upTo: lastInFlight) } }), clock.now < deadline {
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
            for connection in state.suspended { MHD_resume_connection(OpaquePointer(bitPattern: connection)) }
            state.suspended.removeAll()
            return pointer
        }
        // Outside the lock: this joins the workers, and one may be waiting for it.
        if let pointer { MHD_stop_daemon(pointer) }
        // The daemon's threads are joined: no callback can still use these.
        let unclosed = connections.withLock { open in
            defer { open.removeAll() }
            return Array(open.values)
        }
        for connection in unclosed { connection.context.release() }
    }
}

/// A connection's retained context in the server's list; the list only stores it,
/// asks whether it is answering, and releases it, so it may cross threads.
struct RetainedConnection: @unchecked Sendable {
    let context: Unmanaged<ConnectionContext>

    /// Whether the connection is answering a request that began at or before `time`
    /// (`HTTPServer.nanosecondsSinceStart`).
    func isAnswering(upTo time: Int) -> Bool {
        let beganAt = context._withUnsafeGuaranteedRef { $0.beganAt.load(ordering: .acquiring) }
        return beganAt != 0 && beganAt <= time
    }
}

/// The daemon pointer and the connections suspended for a delayed response, owned by
/// `HTTPServer` and only touched under its lock.
struct DaemonState: @unchecked Sendable {
    var pointer: OpaquePointer?
    /// Set by the first stop; a stopped server does not start again.
    var stopped = false
    /// Cleared when shutdown begins: delayed responses are then sent at once.
    var suspends = true
    var suspended: Set<UInt> = []
}
