import Foundation
import HTTPServerCore
import HTTPTypes
import MicroHTTPDServer
import SocketTestSupport
import Synchronization
import Testing

/// Answers `/slow` after 300 ms, `/drop` by closing the connection, anything else at once.
private struct DelayingResponder: HTTPResponder {
    func respond(to request: ServerRequest) -> ServerResponse {
        var response = ServerResponse(status: .ok, body: Array(request.target.utf8))
        switch request.target {
        case "/slow": response.delay = .milliseconds(300)
        case "/drop": response.dropsConnection = true
        case "/slow-drop": (response.delay, response.dropsConnection) = (.milliseconds(200), true)
        case "/very-slow": response.delay = .seconds(30)
        default: break
        }
        return response
    }

    func respond(toRejected request: ServerRequest, reason: RequestRejection) -> ServerResponse {
        ServerResponse(status: .badRequest)
    }
}

/// Delays and dropped connections over real sockets: what faults ask of the server.
@Suite(.serialized) struct DelayedResponseTests {
    func startServer() throws -> HTTPServer {
        let server = try HTTPServer(configuration: ServerConfiguration(port: 0, threads: 1), responder: DelayingResponder())
        try server.start()
        return server
    }

    func request(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n" }

    @Test func delayedResponseComesLateWhileTheWorkerServesOthers() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let clock = ContinuousClock()
        let started = clock.now
        let slow = try RawConnection(port: server.port)
        slow.send(request("/slow"))
        usleep(50_000)
        // One worker thread: it answers this while the slow connection is suspended.
        let quick = try RawConnection(port: server.port)
        quick.send(request("/quick"))
        #expect(quick.receiveResponse()?.body == "/quick")
        #expect(clock.now - started < .milliseconds(250))
        #expect(slow.receiveResponse()?.body == "/slow")
        #expect(clock.now - started >= .milliseconds(300))
        // The connection stays usable after its delayed answer.
        slow.send(request("/again"))
        #expect(slow.receiveResponse()?.body == "/again")
    }

    @Test func droppedConnectionClosesWithoutAByte() throws {
        let server = try startServer()
        defer { server.shutdown() }
        for path in ["/drop", "/slow-drop"] {
            let connection = try RawConnection(port: server.port)
            connection.send(request(path))
            #expect(connection.receiveAll().isEmpty)
            #expect(!connection.timedOut)
        }
        let after = try RawConnection(port: server.port)
        after.send(request("/fine"))
        #expect(after.receiveResponse()?.status == 200)
    }

    /// Responses waiting out a delay when shutdown begins are sent then, not dropped
    /// and not waited for.
    @Test func shutdownSendsDelayedResponsesAtOnce() throws {
        let server = try startServer()
        let waiting = try (0..<3).map { _ in try RawConnection(port: server.port) }
        for connection in waiting { connection.send(request("/slow")) }
        usleep(50_000)
        let clock = ContinuousClock()
        let started = clock.now
        server.shutdown()
        #expect(clock.now - started < .milliseconds(200))
        for connection in waiting {
            let response = connection.receiveResponse()
            #expect(response?.body == "/slow")
            #expect(response?.head.contains("Connection: close") == true)
        }
    }

    /// 30 clients each waiting out a 300 ms delay, again and again, and shutdown at a
    /// different moment in each of 50 runs: each stop takes under a second. (The daemon
    /// was once stopped under the lock a worker takes to suspend a connection.)
    @Test func shutdownWithManyDelaysInFlightIsQuickEveryTime() throws {
        final class StopFlag: Sendable { let stopped = Atomic<Bool>(false) }
        for run in 0..<50 {
            let server = try HTTPServer(configuration: ServerConfiguration(port: 0, threads: 2), responder: DelayingResponder())
            try server.start()
            let port = server.port
            let stop = StopFlag()
            let clients = (0..<30).map { _ in
                Thread {
                    while !stop.stopped.load(ordering: .relaxed) {
                        guard let connection = try? RawConnection(port: port, timeoutSeconds: 2) else { return }
                        while !stop.stopped.load(ordering: .relaxed) {
                            connection.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
                            guard connection.receiveResponse() != nil else { break }
                        }
                    }
                }
            }
            for client in clients { client.start() }
            usleep(UInt32(50_000 + run * 9_000))
            let stopped = DispatchSemaphore(value: 0)
            let clock = ContinuousClock()
            let started = clock.now
            Thread {
                server.shutdown()
                stopped.signal()
            }.start()
            let finished = stopped.wait(timeout: .now() + .seconds(3)) == .success
            let elapsed = clock.now - started
            stop.stopped.store(true, ordering: .relaxed)
            #expect(finished, "run \(run): shutdown still running after 3 s")
            #expect(elapsed < .seconds(1), "run \(run): shutdown took \(elapsed)")
            guard finished else { return }
        }
    }

    @Test func shutdownDoesNotWaitOutALongDelay() throws {
        let server = try startServer()
        let waiting = (0..<3).compactMap { _ in try? RawConnection(port: server.port) }
        for connection in waiting { connection.send(request("/very-slow")) }
        usleep(100_000)
        let clock = ContinuousClock()
        let started = clock.now
        server.shutdown()
        #expect(clock.now - started < .seconds(3))
    }
}
