import Foundation
import HTTPServerCore
import MicroHTTPDServer
import SocketTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Common rules 5–7 of docs/behaviour.md against the real server: raw, hostile bytes over real sockets
/// to an in-process `HTTPServer` on port 0. Every case expects a definite 4xx (chosen
/// from docs/behaviour.md, docs/decisions.md and HTTP semantics, written beside it) or a
/// closed connection; never a 5xx, never silence. Every case then checks that
/// `/__admin/health` still answers.
///
/// Receives are bounded (`RawConnection`'s timeout), and "closed" is told apart from
/// "timed out" (`RawConnection.timedOut`): a server that stops answering fails here
/// rather than hanging the suite.
///
/// Behaviour that breaks the contract today is not hidden: what libmicrohttpd 0.9.75
/// decides before usagemock sees the request (docs/decisions.md, "Known limitations") is wrapped
/// in `withKnownIssue`, asserting what the contract wants. They show up as known
/// issues in the run; once fixed, `withKnownIssue` fails ("known issue was not
/// recorded") so the wrapper gets removed and the case becomes a plain regression test.
@Suite(.serialized) struct HostileInputTests {

    // MARK: Answered at once: a definite 4xx, or a closed connection

    @Test(arguments: HostileCase.answeredAtOnce)
    func hostileRequestIsRefused(_ hostile: HostileCase) throws {
        let server = try LiveServerTests.startServer()
        defer { server.shutdown() }
        let connection = try RawConnection(port: server.port, timeoutSeconds: 3)
        connection.send(hostile.bytes)
        let reply = HostileReply(connection)
        hostile.expectation.check(reply, hostile.name)
        if let next = hostile.thenOnSameConnection {
            // The framing of the first request was understood: the next request on the
            // connection is answered, not taken for (or hidden in) a body.
            connection.send(Self.healthRequest)
            #expect(HostileReply(connection).status == next, "\(hostile.name): the request after it on the same connection")
        }
        try expectHealthy(server)
    }

    /// Requests a server must wait on (a head or body not finished yet): no answer is
    /// right, but the idle timeout must close them, and meanwhile everyone else is
    /// served. All at once on one server with a 1 s idle timeout, to keep the suite short.
    @Test func unfinishedRequestsAreClosedAtTheIdleTimeout() throws {
        let server = try LiveServerTests.startServer { $0.idleTimeoutSeconds = 1 }
        defer { server.shutdown() }
        let start = ContinuousClock.now
        let connections = try HostileCase.waitedOn.map { hostile in
            let connection = try RawConnection(port: server.port, timeoutSeconds: 5)
            connection.send(hostile.bytes)
            return (hostile, connection)
        }
        try expectHealthy(server)
        for (hostile, connection) in connections {
            let reply = HostileReply(connection)
            switch reply.outcome {
            case .answered(let status, _, _):
                #expect((400..<500).contains(status), "\(hostile.name): \(reply)")
            case .closed:
                break
            case .timedOut:
                Issue.record("\(hostile.name): not closed within 5 s of a 1 s idle timeout")
            }
        }
        #expect(ContinuousClock.now - start < .seconds(6))
        try expectHealthy(server)
    }

    // MARK: Connection-level abuse

    @Test func twentyPipelinedRequestsAcrossProvidersAreAnsweredInOrder() throws {
        let server = try LiveServerTests.startServer()
        defer { server.shutdown() }
        let klaimBody = #"{"limit":2}"#
        let requests: [(request: String, status: Int)] = [
            (Self.healthRequest, 200),
            ("GET /usage/current_balance HTTP/1.1\r\nHost: localhost\r\n\(Self.poe)\r\n", 200),
            ("GET /usage/points_history?limit=2 HTTP/1.1\r\nHost: localhost\r\n\(Self.poe)\r\n", 200),
            ("GET /v1/billing/usage-history?limit=2&offset=0 HTTP/1.1\r\nHost: localhost\r\n\(Self.hookBridge)\r\n", 200),
            ("GET /api/v1/usage?page=1&limit=2 HTTP/1.1\r\nHost: localhost\r\n\(Self.sybilion)\r\n", 200),
            (
                "POST \(Self.klaimPath) HTTP/1.1\r\nHost: localhost\r\n\(Self.klaim)Content-Type: application/json\r\nContent-Length: \(klaimBody.utf8.count)\r\n\r\n\(klaimBody)",
                200
            ),
            (
                "POST \(Self.klaimPath) HTTP/1.1\r\nHost: localhost\r\n\(Self.klaim)Transfer-Encoding: chunked\r\n\r\n5\r\n{\"lim\r\n6\r\nit\":2}\r\n0\r\n\r\n",
                200
            ),
            ("POST \(Self.klaimPath) HTTP/1.1\r\nHost: localhost\r\n\(Self.klaim)Content-Length: 0\r\n\r\n", 200),
            ("GET /usage/current_balance HTTP/1.1\r\nHost: localhost\r\n\r\n", 401),
            ("GET /v1/billing/usage-history HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer sk_test_poe\r\n\r\n", 401),
            ("GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n", 404),
            ("GET \(Self.klaimPath) HTTP/1.1\r\nHost: localhost\r\n\(Self.klaim)\r\n", 405),
            ("GET /usage/points_history?limit=abc HTTP/1.1\r\nHost: localhost\r\n\(Self.poe)\r\n", 400),
            ("POST \(Self.klaimPath) HTTP/1.1\r\nHost: localhost\r\n\(Self.klaim)Content-Length: 9\r\n\r\n{\"limit\":", 400),
            ("POST /users/nobody/credits/usage HTTP/1.1\r\nHost: localhost\r\n\(Self.klaim)Content-Length: 0\r\n\r\n", 404),
            ("GET /usage/current_balance HTTP/1.1\r\nHost: localhost\r\n\(Self.poe)Content-Length: 5\r\n\r\nhello", 200),
            ("GET /api/v1/usage?sort=nope HTTP/1.1\r\nHost: localhost\r\n\(Self.sybilion)\r\n", 400),
            ("GET /usage/%zz HTTP/1.1\r\nHost: localhost\r\n\r\n", 400),
            ("GET /v1/billing/usage-history?limit=24&offset=1000 HTTP/1.1\r\nHost: localhost\r\n\(Self.hookBridge)\r\n", 200),
            (Self.healthRequest, 200),
        ]
        #expect(requests.count == 20)
        let connection = try RawConnection(port: server.port, timeoutSeconds: 5)
        connection.send(requests.map(\.request).joined())
        for (index, expected) in requests.enumerated() {
            let reply = HostileReply(connection)
            #expect(reply.status == expected.status, "pipelined request \(index + 1): \(reply)")
            if index == 1 { #expect(reply.body == #"{"current_point_balance":295932027}"#) }
        }
        // Still in step: one more request on the same connection.
        connection.send(Self.healthRequest)
        #expect(HostileReply(connection).status == 200)
    }

    @Test func silentHalfHeadsDoNotDelayANormalClient() throws {
        let server = try LiveServerTests.startServer()
        defer { server.shutdown() }
        // 60 connections that send half a head and go silent, and 10 that send a head
        // and half the body they announced.
        var halfHeads = try (0..<60).map { index in
            let connection = try RawConnection(port: server.port, timeoutSeconds: 1)
            connection.send("GET /usage/current_balance HTTP/1.1\r\nHost: localhost\r\nX-Slow-\(index): abc")
            return connection
        }
        var halfBodies = try (0..<10).map { _ in
            let connection = try RawConnection(port: server.port, timeoutSeconds: 1)
            connection.send("POST \(Self.klaimPath) HTTP/1.1\r\nHost: localhost\r\n\(Self.klaim)Content-Length: 100\r\n\r\n{\"limit\":")
            return connection
        }
        usleep(100_000)
        let normal: [(String, Int)] = [
            (Self.healthRequest, 200),
            ("GET /usage/current_balance HTTP/1.1\r\nHost: localhost\r\n\(Self.poe)\r\n", 200),
            ("GET /v1/billing/usage-history HTTP/1.1\r\nHost: localhost\r\n\(Self.hookBridge)\r\n", 200),
            ("GET /api/v1/usage HTTP/1.1\r\nHost: localhost\r\n\(Self.sybilion)\r\n", 200),
            ("POST \(Self.klaimPath) HTTP/1.1\r\nHost: localhost\r\n\(Self.klaim)Content-Length: 0\r\n\r\n", 200),
        ]
        for (request, status) in normal {
            let start = ContinuousClock.now
            let client = try RawConnection(port: server.port, timeoutSeconds: 3)
            client.send(request)
            #expect(HostileReply(client).status == status)
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .milliseconds(500), "a normal client waited \(elapsed) behind 70 silent connections")
        }
        // The silent ones are still waiting (neither answered nor closed) ...
        #expect(HostileReply(halfHeads[0]).outcome == .timedOut)
        #expect(HostileReply(halfBodies[0]).outcome == .timedOut)
        // ... and dropping them all at once leaves the server serving.
        halfHeads.removeAll()
        halfBodies.removeAll()
        try expectHealthy(server)
    }

    @Test func connectionsOpenedAndDroppedInBulkLeaveTheServerServing() throws {
        let server = try LiveServerTests.startServer()
        defer { server.shutdown() }
        for _ in 0..<3 {
            var burst = try (0..<100).map { _ in try RawConnection(port: server.port, timeoutSeconds: 1) }
            for (index, connection) in burst.enumerated() where index % 2 == 0 {
                connection.send("GET /usage/points_history?limit=100 HTTP/1.1\r\nHost: localhost\r\n\(Self.poe)\r\n")
            }
            burst.removeAll()  // closed, most before reading their answers
            try expectHealthy(server)
        }
    }

    /// A request line whose HTTP major version is not 1, and the HTTP/2 preface, get
    /// 505 HTTP Version Not Supported (from libmicrohttpd, before usagemock sees the
    /// request): the one 5xx the contract allows (RFC 9110 §15.6.6).
    @Test(arguments: [
        "GET /__admin/health HTTP/9.9\r\nHost: localhost\r\n\r\n", "GET /__admin/health HTTP/2.0\r\nHost: localhost\r\n\r\n",
        "GET /__admin/health HTTP/0.9\r\nHost: localhost\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ])
    func aVersionOtherThan1xIsAnswered505(_ request: String) throws {
        let server = try LiveServerTests.startServer()
        defer { server.shutdown() }
        let connection = try RawConnection(port: server.port, timeoutSeconds: 3)
        connection.send(request)
        let reply = HostileReply(connection)
        #expect(reply.status == 505, "\(reply)")
        try expectHealthy(server)
    }

    // MARK: Documented exceptions (docs/decisions.md, "Known limitations")

    /// docs/decisions.md: a line of NUL bytes is read by libmicrohttpd as an empty line; the
    /// connection then waits for a request line until the idle timeout closes it. The
    /// same holds for any line that *starts* with a NUL (libmicrohttpd reads lines as C
    /// strings), whatever follows it.
    @Test(arguments: [
        [UInt8](repeating: 0, count: 8) + Array("\r\n\r\n".utf8),
        [0x00, 0x01, 0x02, 0xFF, 0xFE] + Array(" garbage\r\n\r\n".utf8),
    ])
    func lineStartingWithNULWaitsForTheIdleTimeout(_ bytes: [UInt8]) throws {
        let server = try LiveServerTests.startServer { $0.idleTimeoutSeconds = 1 }
        defer { server.shutdown() }
        let connection = try RawConnection(port: server.port, timeoutSeconds: 5)
        let start = ContinuousClock.now
        connection.send(bytes)
        let reply = HostileReply(connection)
        let elapsed = ContinuousClock.now - start
        // Not a hang: the idle timeout (1 s here, 30 s by default) closes it.
        #expect(reply.outcome == .closed || reply.status.map { (400..<500).contains($0) } == true, "\(reply)")
        withKnownIssue("docs/decisions.md, Known limitations: a NUL line reads as an empty line and waits for the idle timeout") {
            #expect(elapsed < .milliseconds(500), "answered or closed only after \(elapsed)")
        }
        try expectHealthy(server)
    }

    // MARK: Malformed heads libmicrohttpd lets through

    /// Malformed fields libmicrohttpd 0.9.75 accepts; usagemock refuses them with 400
    /// (RFC 9112 §3.2, §5, §6.3; common rule 6).
    @Test(arguments: HostileCase.malformedHeads)
    func malformedHeadIsRefused(_ hostile: HostileCase) throws {
        let server = try LiveServerTests.startServer()
        defer { server.shutdown() }
        let connection = try RawConnection(port: server.port, timeoutSeconds: 3)
        connection.send(hostile.bytes)
        hostile.expectation.check(HostileReply(connection), hostile.name)
        try expectHealthy(server)
    }

    /// What libmicrohttpd hides cannot be refused above it; still never a hang or a 5xx.
    @Test(arguments: HostileCase.malformedHeadsHiddenByLibmicrohttpd)
    func malformedHeadHiddenByLibmicrohttpdIsServed(_ hostile: HostileCase) throws {
        let server = try LiveServerTests.startServer()
        defer { server.shutdown() }
        let connection = try RawConnection(port: server.port, timeoutSeconds: 3)
        connection.send(hostile.bytes)
        let reply = HostileReply(connection)
        #expect(reply.outcome != .timedOut, "\(hostile.name): no hang")
        #expect(!(reply.status.map { (500..<600).contains($0) } ?? false), "\(hostile.name): \(reply)")
        withKnownIssue("libmicrohttpd 0.9.75 hides it: \(hostile.name)") {
            hostile.expectation.check(reply, hostile.name)
        }
        try expectHealthy(server)
    }

    /// Transfer-Encoding and Content-Length together: RFC 9112 §6.3 lets the server
    /// use the chunked framing but requires it to close the connection after
    /// answering, so nothing smuggled after the body is read as a request.
    @Test func contentLengthWithTransferEncodingClosesTheConnection() throws {
        let server = try LiveServerTests.startServer()
        defer { server.shutdown() }
        let connection = try RawConnection(port: server.port, timeoutSeconds: 2)
        connection.send(
            "POST \(Self.klaimPath) HTTP/1.1\r\nHost: localhost\r\n\(Self.klaim)Content-Length: 11\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n{\"limit\":1}\r\n0\r\n\r\n"
                + Self.healthRequest)
        let first = HostileReply(connection)
        #expect(first.status == 200 || first.status == 400, "\(first)")
        let second = HostileReply(connection)
        #expect(first.status == 400 || second.outcome == .closed, "then: \(second)")
        try expectHealthy(server)
    }

    /// Up to 500 query parameters are served; more get 414 in the mock's shape at once
    /// (libmicrohttpd 0.9.75 used to hold about a thousand until the idle timeout:
    /// they overflow its per-connection memory pool).
    @Test func manyQueryParametersAreServedOrRefusedAtOnce() throws {
        let server = try LiveServerTests.startServer()
        defer { server.shutdown() }
        let connections = try [500, 501, 1000, 8000].map { count in
            let query = (0..<count).map { _ in "a" }.joined(separator: "&")
            let connection = try RawConnection(port: server.port, timeoutSeconds: 1)
            connection.send("GET /__admin/health?\(query) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            return (count, connection)
        }
        for (count, connection) in connections {
            let reply = HostileReply(connection)
            if count <= 500 {
                #expect(reply.status == 200, "\(count) parameters: \(reply)")
            } else {
                #expect(reply.status == 414, "\(count) parameters: \(reply)")
                #expect(reply.body == #"{"error":"uri_too_long","message":"request target has more than 500 query parameters"}"#)
            }
        }
        try expectHealthy(server)
    }

    // MARK: Helpers

    static let healthRequest = "GET /__admin/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
    static let poe = "Authorization: Bearer sk_test_poe\r\n"
    static let hookBridge = "Authorization: Bearer hb_test_key\r\n"
    static let klaim = "Authorization: Bearer klaim_test_key\r\n"
    static let sybilion = "Authorization: Bearer sk_ops_test\r\n"
    static let klaimPath = "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage"

    private func expectHealthy(_ server: HTTPServer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let connection = try RawConnection(port: server.port, timeoutSeconds: 3)
        connection.send(Self.healthRequest)
        let reply = HostileReply(connection)
        #expect(reply.status == 200, "/__admin/health afterwards: \(reply)", sourceLocation: sourceLocation)
    }
}

// MARK: - Cases

/// One hostile request and what the contract wants for it.
struct HostileCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let expectation: HostileExpectation
    /// When set, a health request sent after this one on the same connection must get
    /// this status (the hostile request's framing was understood, nothing smuggled).
    var thenOnSameConnection: Int?

    var testDescription: String { name }

    init(_ name: String, _ bytes: [UInt8], _ expectation: HostileExpectation, then: Int? = nil) {
        self.name = name
        self.bytes = bytes
        self.expectation = expectation
        self.thenOnSameConnection = then
    }

    init(_ name: String, _ text: String, _ expectation: HostileExpectation, then: Int? = nil) {
        self.init(name, Array(text.utf8), expectation, then: then)
    }

    static let host = "Host: localhost\r\n"
    static let close = "Connection: close\r\n"
    static let poe = HostileInputTests.poe
    static let klaimKey = HostileInputTests.klaim
    static let klaimPath = HostileInputTests.klaimPath

    static func get(_ target: String, _ headers: String = poe) -> String {
        "GET \(target) HTTP/1.1\r\n\(host)\(headers)\(close)\r\n"
    }

    /// A Klaim POST with this body; `contentLength` overrides the true length.
    static func klaim(_ body: [UInt8], contentLength: String? = nil, headers: String = "") -> [UInt8] {
        let length = contentLength ?? String(body.count)
        return Array(
            "POST \(klaimPath) HTTP/1.1\r\n\(host)\(klaimKey)Content-Type: application/json\r\nContent-Length: \(length)\r\n\(headers)\(close)\r\n"
                .utf8) + body
    }

    static func klaim(_ body: String, contentLength: String? = nil, headers: String = "") -> [UInt8] {
        klaim(Array(body.utf8), contentLength: contentLength, headers: headers)
    }

    static func chunked(_ chunks: String) -> String {
        "POST \(klaimPath) HTTP/1.1\r\n\(host)\(klaimKey)Transfer-Encoding: chunked\r\n\(close)\r\n\(chunks)"
    }

    // The contract's shapes, to see that usagemock (not only libmicrohttpd) answered.
    static let mockBadRequest = #""error":"bad_request""#
    static let poeInvalidParameter = #""code":"invalid_parameter""#
    static let poeUnauthorized = #""code":"invalid_api_key""#
    static let klaimMessage = #"{"message":"#

    static let answeredAtOnce: [HostileCase] = [
        // Garbage and truncated request lines. 400 is the HTTP answer; libmicrohttpd
        // closes without one for some of them, which common rule 6 allows.
        HostileCase("garbage request line", "GARBAGE\r\n\r\n", .status(400, orClosed: true)),
        HostileCase(
            "NUL before the method (the next line is taken for the request line)",
            [0x00] + Array("GET /__admin/health HTTP/1.1\r\n\(host)\r\n".utf8), .status(400, orClosed: true)),
        HostileCase(
            "a NUL line, then a request (read as a blank line before it)", [0x00, 0x0D, 0x0A] + Array(get("/__admin/health", "").utf8),
            .status(200)),
        HostileCase("binary request line", [0x01, 0x02, 0xFF, 0xFE, 0x7F] + Array(" garbage\r\n\r\n".utf8), .status(400, orClosed: true)),
        HostileCase("method alone", "GET\r\n\r\n", .status(400, orClosed: true)),
        HostileCase("no HTTP version (HTTP/0.9 form)", "GET /__admin/health\r\n\r\n", .status(400, orClosed: true)),
        HostileCase("extra token after the version", "GET /__admin/health HTTP/1.1 extra\r\n\(host)\r\n", .status(400, orClosed: true)),
        HostileCase("lowercase version", "GET /__admin/health http/1.1\r\n\(host)\r\n", .status(400, orClosed: true)),
        HostileCase("version HTTP/1.10", "GET /__admin/health HTTP/1.10\r\n\(host)\r\n", .status(400, orClosed: true)),
        HostileCase("version HTTP/1.", "GET /__admin/health HTTP/1.\r\n\(host)\r\n", .status(400, orClosed: true)),

        // Unknown and odd methods: a known path gives 405 in the owner's shape (common rule 5);
        // an unknown path 404; a method that is no token 400.
        HostileCase(
            "TRACE on a Poe path", get("/usage/current_balance").replacingOccurrences(of: "GET", with: "TRACE"),
            .status(405, bodyContains: #""code":"method_not_allowed""#, header: "Allow: GET")),
        HostileCase(
            "TRACE on no route", "TRACE /nowhere HTTP/1.1\r\n\(host)\(close)\r\n", .status(404, bodyContains: #""error":"not_found""#)),
        HostileCase(
            "TRACE on the index", "TRACE / HTTP/1.1\r\n\(host)\(close)\r\n", .status(405, bodyContains: #""error":"method_not_allowed""#)),
        HostileCase(
            "CONNECT authority-form", "CONNECT 127.0.0.1:8080 HTTP/1.1\r\n\(host)\(close)\r\n", .status(400, bodyContains: mockBadRequest)),
        HostileCase("CONNECT on a Poe path", "CONNECT /usage/current_balance HTTP/1.1\r\n\(host)\(close)\r\n", .status(405)),
        HostileCase(
            "unknown method on Klaim", "FROB \(klaimPath) HTTP/1.1\r\n\(host)\(klaimKey)\(close)\r\n",
            .status(405, bodyContains: klaimMessage, header: "Allow: POST")),
        HostileCase(
            "lowercase method (methods are case-sensitive)", get("/usage/current_balance").replacingOccurrences(of: "GET", with: "get"),
            .status(405)),
        HostileCase("method with '@'", "G@T /__admin/health HTTP/1.1\r\n\(host)\(close)\r\n", .status(400, bodyContains: mockBadRequest)),
        HostileCase(
            "method with a control byte", Array("G".utf8) + [0x01] + Array("T /__admin/health HTTP/1.1\r\n\(host)\(close)\r\n".utf8),
            .status(400, bodyContains: mockBadRequest)),
        HostileCase(
            "method with non-ASCII", "GETé /__admin/health HTTP/1.1\r\n\(host)\(close)\r\n", .status(400, bodyContains: mockBadRequest)),
        HostileCase(
            "20 KB method", String(repeating: "G", count: 20_000) + " /__admin/health HTTP/1.1\r\n\(host)\(close)\r\n",
            .status(414, orClosed: true)),

        // Header syntax and size (common rule 6: head over 16 KiB → 431, line → 414).
        HostileCase(
            "header line without a colon", "GET /__admin/health HTTP/1.1\r\n\(host)NoColonHere\r\n\r\n", .status(400, orClosed: true)),
        HostileCase(
            "100 KB URL", "GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\n\(host)\r\n", .status(414, orClosed: true)),
        HostileCase(
            "100 KB query string", "GET /usage/points_history?q=" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\n\(host)\r\n",
            .status(414, orClosed: true)),
        HostileCase(
            "40 KB header", "GET /__admin/health HTTP/1.1\r\n\(host)X-Big: \(String(repeating: "a", count: 40_000))\r\n\r\n",
            .status(431, orClosed: true)),
        HostileCase(
            "70 KB header (past libmicrohttpd's own limit)",
            "GET /__admin/health HTTP/1.1\r\n\(host)X-Big: \(String(repeating: "a", count: 70_000))\r\n\r\n", .status(431, orClosed: true)),
        HostileCase(
            "3000 headers", "GET /__admin/health HTTP/1.1\r\n\(host)" + (0..<3000).map { "X-\($0): v\r\n" }.joined() + "\r\n",
            .status(431, orClosed: true)),
        HostileCase(
            "1000 tiny headers (5 KB)", "GET /__admin/health HTTP/1.1\r\n\(host)" + String(repeating: "a:b\r\n", count: 1000) + "\r\n",
            .status(431, 200, orClosed: true)),

        // Authorization (common rule 2): anything but exactly one `Bearer KEY` is a 401.
        HostileCase(
            "binary Authorization",
            Array("GET /usage/current_balance HTTP/1.1\r\n\(host)Authorization: Bearer ".utf8) + [0x01, 0xFF, 0xFE, 0x80, 0x7F]
                + Array("\r\n\(close)\r\n".utf8), .status(401, bodyContains: poeUnauthorized, header: "WWW-Authenticate: Bearer")),
        HostileCase(
            "non-UTF-8 bearer token",
            Array("GET /usage/current_balance HTTP/1.1\r\n\(host)Authorization: Bearer sk_test_poe".utf8) + [0xC3]
                + Array("\r\n\(close)\r\n".utf8), .status(401, bodyContains: poeUnauthorized)),
        HostileCase(
            "15 KB Authorization", get("/usage/current_balance", "Authorization: Bearer \(String(repeating: "k", count: 15_000))\r\n"),
            .status(401, bodyContains: poeUnauthorized)),
        HostileCase(
            "30 KB Authorization", get("/usage/current_balance", "Authorization: Bearer \(String(repeating: "k", count: 30_000))\r\n"),
            .status(431, orClosed: true)),
        HostileCase(
            "two Authorization headers, same key", get("/usage/current_balance", poe + poe), .status(401, bodyContains: poeUnauthorized)),
        HostileCase(
            "two Authorization headers, other key second", get("/usage/current_balance", poe + "Authorization: Bearer nope\r\n"),
            .status(401, bodyContains: poeUnauthorized)),
        HostileCase("Bearer, a tab, the key", get("/usage/current_balance", "Authorization: Bearer\tsk_test_poe\r\n"), .status(401)),
        HostileCase(
            "Bearer with two tokens", get("/usage/current_balance", "Authorization: Bearer sk_test_poe sk_test_poe\r\n"), .status(401)),
        HostileCase(
            "space before the colon of Authorization", get("/usage/current_balance", "Authorization : Bearer sk_test_poe\r\n"),
            .status(400, 401)),

        // Percent-encoding and path segments (docs/behaviour.md: invalid encoding → 400 in the
        // mock's shape; common rule 7: exact match after decoding, so %00 / %2F / dot
        // segments name no route → 404, or the unknown Klaim user → 404).
        HostileCase("invalid %zz", get("/usage/%zz"), .status(400, bodyContains: mockBadRequest)),
        HostileCase("% at the end", get("/usage/current_balance%"), .status(400, bodyContains: mockBadRequest)),
        HostileCase("truncated %0", get("/usage/current_balance%0"), .status(400, bodyContains: mockBadRequest)),
        HostileCase("%FF (not UTF-8)", get("/usage/%FF"), .status(400, bodyContains: mockBadRequest)),
        HostileCase("overlong UTF-8 %C0%AF", get("/usage/%C0%AF"), .status(400, bodyContains: mockBadRequest)),
        HostileCase("%00 in a Poe segment", get("/usage/current_balance%00"), .status(404, bodyContains: #""error":"not_found""#)),
        HostileCase("%2F joining Poe segments", get("/usage%2Fcurrent_balance"), .status(404, bodyContains: #""error":"not_found""#)),
        HostileCase(
            "%00 in the Klaim user id",
            klaim([]).replacing(Array("/users/GtQ5Oezk6cOvSmPgxsMR/".utf8), with: Array("/users/GtQ5%00Oezk6cOvSmPgxsMR/".utf8)),
            .status(404, bodyContains: "Can not find user")),
        HostileCase(
            "%2F in the Klaim user id",
            klaim([]).replacing(Array("/users/GtQ5Oezk6cOvSmPgxsMR/".utf8), with: Array("/users/GtQ5Oezk6cOvSmPgxsMR%2Fx/".utf8)),
            .status(404, bodyContains: "Can not find user")),
        HostileCase("dot-dot segment", get("/usage/../usage/current_balance"), .status(404)),
        HostileCase("dot segment", get("/usage/./current_balance"), .status(404)),
        HostileCase("encoded dot-dot", get("/usage/%2e%2e/usage/current_balance"), .status(404)),
        HostileCase("escaping the root", get("/../../etc/passwd"), .status(404)),
        HostileCase("absolute-form target", get("http://127.0.0.1/usage/current_balance"), .status(400, bodyContains: mockBadRequest)),
        HostileCase("asterisk-form target", "OPTIONS * HTTP/1.1\r\n\(host)\(close)\r\n", .status(400, bodyContains: mockBadRequest)),
        HostileCase("target without a leading slash", get("usage/current_balance"), .status(400, bodyContains: mockBadRequest)),
        HostileCase("trailing slash", get("/usage/current_balance/"), .status(404)),

        // Query integers (common rule 3: ASCII digits only → else 400, in the provider's shape).
        HostileCase(
            "Arabic-Indic digit one %D9%A1", get("/usage/points_history?limit=%D9%A1"), .status(400, bodyContains: poeInvalidParameter)),
        HostileCase(
            "raw Arabic-Indic digit",
            Array("GET /usage/points_history?limit=".utf8) + [0xD9, 0xA1] + Array(" HTTP/1.1\r\n\(host)\(poe)\(close)\r\n".utf8),
            .status(400, bodyContains: poeInvalidParameter)),
        HostileCase("fullwidth digit", get("/usage/points_history?limit=%EF%BC%91"), .status(400, bodyContains: poeInvalidParameter)),
        HostileCase("plus sign", get("/usage/points_history?limit=%2B5"), .status(400, bodyContains: poeInvalidParameter)),
        HostileCase("'+' (a space in a query)", get("/usage/points_history?limit=+5"), .status(400, bodyContains: poeInvalidParameter)),
        HostileCase(
            "beyond Int64", get("/usage/points_history?limit=99999999999999999999999"), .status(400, bodyContains: poeInvalidParameter)),
        HostileCase("invalid %zz in a value", get("/usage/points_history?limit=%zz"), .status(400, bodyContains: poeInvalidParameter)),
        HostileCase("encoded NUL in a value", get("/usage/points_history?limit=2%00"), .status(400, bodyContains: poeInvalidParameter)),
        HostileCase(
            "';' is no separator (repeat)", get("/usage/points_history?limit=2;limit=3"), .status(400, bodyContains: poeInvalidParameter)),
        HostileCase(
            "';' is no separator (Sybilion)", get("/api/v1/usage?page=1;limit=2", HostileInputTests.sybilion),
            .status(400, bodyContains: #""trace_id""#)),
        HostileCase(
            "repeated limit", get("/v1/billing/usage-history?limit=1&limit=2", HostileInputTests.hookBridge),
            .status(400, bodyContains: #""code":"INVALID_REQUEST""#)),
        HostileCase(
            "negative offset", get("/v1/billing/usage-history?offset=-1", HostileInputTests.hookBridge),
            .status(400, bodyContains: #""code":"INVALID_REQUEST""#)),

        // Bodies on GET: a body on GET has no meaning but is not malformed; it is
        // ignored (200) and its framing honoured, so the next request is intact.
        HostileCase(
            "GET with a Content-Length body", "GET /usage/current_balance HTTP/1.1\r\n\(host)\(poe)Content-Length: 5\r\n\r\nhello",
            .status(200), then: 200),
        HostileCase(
            "GET with a chunked body",
            "GET /usage/current_balance HTTP/1.1\r\n\(host)\(poe)Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", .status(200),
            then: 200),
        HostileCase(
            "GET with a body that is itself a request",
            "GET /usage/current_balance HTTP/1.1\r\n\(host)\(poe)Content-Length: \(HostileInputTests.healthRequest.utf8.count)\r\n\r\n\(HostileInputTests.healthRequest)",
            .status(200), then: 200),

        // Klaim bodies (docs/behaviour.md, Klaim: malformed JSON or wrong types → 400 {"message": …}).
        HostileCase("Klaim: truncated JSON", klaim(#"{"limit":"#), .status(400, bodyContains: klaimMessage)),
        HostileCase("Klaim: truncated string", klaim(#"{"lim"#), .status(400, bodyContains: klaimMessage)),
        HostileCase(
            "Klaim: 100k nested arrays", klaim(String(repeating: "[", count: 100_000)), .status(400, bodyContains: "nested deeper")),
        HostileCase(
            "Klaim: 100k nested objects", klaim(String(repeating: #"{"a":"#, count: 100_000)), .status(400, bodyContains: "nested deeper")),
        HostileCase(
            "Klaim: 100k nested, closed", klaim(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)),
            .status(400, bodyContains: "nested deeper")),
        HostileCase(
            "Klaim: invalid UTF-8 in a string", klaim(Array(#"{"limit":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)),
            .status(400, bodyContains: klaimMessage)),
        HostileCase("Klaim: invalid UTF-8 outside strings", klaim([0xFF, 0xFE, 0xFD]), .status(400, bodyContains: klaimMessage)),
        HostileCase(
            "Klaim: UTF-16 body", klaim(Array("{\"limit\":3}".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })),
            .status(400, bodyContains: klaimMessage)),
        HostileCase("Klaim: limit 1e999999", klaim(#"{"limit":1e999999}"#), .status(400, bodyContains: "limit must be an integer")),
        HostileCase("Klaim: limit -1e999999", klaim(#"{"limit":-1e999999}"#), .status(400, bodyContains: "limit must be an integer")),
        HostileCase("Klaim: limit 1.0", klaim(#"{"limit":1.0}"#), .status(400, bodyContains: "limit must be an integer")),
        HostileCase(
            "Klaim: limit beyond Int64", klaim(#"{"limit":99999999999999999999999999}"#),
            .status(400, bodyContains: "limit must be an integer")),
        HostileCase(
            "Klaim: 100 KB of digits", klaim(#"{"limit":"# + String(repeating: "9", count: 100_000) + "}"),
            .status(400, bodyContains: "limit must be an integer")),
        HostileCase("Klaim: duplicate field", klaim(#"{"limit":3,"limit":4}"#), .status(400, bodyContains: "duplicate")),
        HostileCase(
            "Klaim: lone surrogate", klaim(#"{"starting_after":{"prefix_app_id":"_credit-usage_appId1","type_id":"\ud800"}}"#),
            .status(400, bodyContains: "surrogate")),
        HostileCase("Klaim: NUL after the object", klaim(Array(#"{"limit":3}"#.utf8) + [0x00]), .status(400, bodyContains: klaimMessage)),
        HostileCase("Klaim: body null", klaim("null"), .status(400, bodyContains: klaimMessage)),
        HostileCase("Klaim: body array", klaim("[]"), .status(400, bodyContains: klaimMessage)),
        HostileCase("Klaim: starting_after a string", klaim(#"{"starting_after":"x"}"#), .status(400, bodyContains: "starting_after")),

        // Framing: Content-Length (RFC 9112 §6.3: invalid → 400) and chunk sizes.
        HostileCase(
            "Content-Length shorter than the body", klaim(#"{"limit":3}"#, contentLength: "5"), .status(400, bodyContains: klaimMessage)),
        HostileCase("Content-Length -1", klaim(#"{}"#, contentLength: "-1"), .status(400, orClosed: true)),
        HostileCase("Content-Length not a number", klaim(#"{}"#, contentLength: "abc"), .status(400, orClosed: true)),
        HostileCase("Content-Length with a plus", klaim(#"{"limit":3}"#, contentLength: "+11"), .status(400, orClosed: true)),
        HostileCase(
            "Content-Length beyond UInt64", klaim(#"{}"#, contentLength: "99999999999999999999999"), .status(400, 413, orClosed: true)),
        HostileCase(
            "Content-Length 2 MiB, nothing sent", klaim([], contentLength: "2097152"), .status(413, bodyContains: "payload_too_large")),
        HostileCase(
            "2 MB body", klaim(Array(#"{"limit":3}"#.utf8) + [UInt8](repeating: 0x20, count: 2 * 1024 * 1024)),
            .status(413, bodyContains: "payload_too_large")),
        HostileCase(
            "2 MB chunked body",
            chunked(String(repeating: "10000\r\n" + String(repeating: " ", count: 65_536) + "\r\n", count: 32) + "0\r\n\r\n"),
            .status(413, bodyContains: "payload_too_large")),
        HostileCase("chunk size zz", chunked("zz\r\nab\r\n0\r\n\r\n"), .status(400, orClosed: true)),
        HostileCase("chunk size -5", chunked("-5\r\nab\r\n0\r\n\r\n"), .status(400, orClosed: true)),
        HostileCase("chunk size beyond 64 bits", chunked("FFFFFFFFFFFFFFFFFF\r\nab\r\n0\r\n\r\n"), .status(400, 413, orClosed: true)),
        HostileCase("chunk longer than its size", chunked("3\r\nabcdef\r\n0\r\n\r\n"), .status(400, orClosed: true)),
        HostileCase("chunked with a blank chunk line", chunked("\r\n\r\n"), .status(400, orClosed: true)),
        HostileCase("chunk extension (valid syntax)", chunked("3;ext=1\r\n{\"l\r\n0\r\n\r\n"), .status(400, bodyContains: klaimMessage)),
        // Framings libmicrohttpd would read until the client closes; refused at the head.
        HostileCase(
            "unknown Transfer-Encoding gzip", chunked("abc").replacingOccurrences(of: "chunked", with: "gzip"),
            .status(400, bodyContains: "Transfer-Encoding")),
        HostileCase(
            "Transfer-Encoding chunked, chunked", chunked("0\r\n\r\n").replacingOccurrences(of: "chunked", with: "chunked, chunked"),
            .status(400, bodyContains: "Transfer-Encoding")),
        HostileCase(
            "Transfer-Encoding gzip, chunked", chunked("0\r\n\r\n").replacingOccurrences(of: "chunked", with: "gzip, chunked"),
            .status(400, bodyContains: "Transfer-Encoding")),
        HostileCase(
            "Transfer-Encoding identity", chunked("0\r\n\r\n").replacingOccurrences(of: "chunked", with: "identity"),
            .status(400, bodyContains: "Transfer-Encoding")),
        HostileCase(
            "Transfer-Encoding 'chunked ' (trailing space)", chunked("0\r\n\r\n").replacingOccurrences(of: "chunked", with: "chunked "),
            .status(400, bodyContains: "Transfer-Encoding")),
    ]

    /// Requests the server must wait on: unfinished heads and bodies (the idle timeout
    /// closes them).
    static let waitedOn: [HostileCase] = [
        HostileCase("truncated request line", "GET /usage/curr", .status(400, orClosed: true)),
        HostileCase("truncated head", "GET /usage/current_balance HTTP/1.1\r\n\(host)Author", .status(400, orClosed: true)),
        HostileCase("head without its blank line", "GET /usage/current_balance HTTP/1.1\r\n\(host)\(poe)", .status(400, orClosed: true)),
        HostileCase("Content-Length longer than the body", klaim(#"{"limit":3}"#, contentLength: "50"), .status(400, orClosed: true)),
        HostileCase("chunk size 2^63-1", chunked("7FFFFFFFFFFFFFFF\r\nab\r\n"), .status(400, 413, orClosed: true)),
        HostileCase("chunked body never finished", chunked("5\r\n{\"lim\r\n"), .status(400, orClosed: true)),
    ]

    /// Malformed heads that are answered as if well-formed today (known issues).
    static let malformedHeads: [HostileCase] = [
        HostileCase(
            "whitespace between field name and colon (RFC 9112 §5.1)", get("/usage/current_balance", poe + "X-Pad : v\r\n"), .status(400)),
        HostileCase("space inside a field name", get("/usage/current_balance", poe + "Bad Name: v\r\n"), .status(400)),
        HostileCase(
            "control byte in a field name",
            Array("GET /usage/current_balance HTTP/1.1\r\n\(host)\(poe)X-".utf8) + [0x01] + Array(": v\r\n\(close)\r\n".utf8), .status(400)),
        HostileCase("HTTP/1.1 without Host (RFC 9112 §3.2)", "GET /usage/current_balance HTTP/1.1\r\n\(poe)\(close)\r\n", .status(400)),
        HostileCase("two Host fields (RFC 9112 §3.2)", get("/usage/current_balance", poe + "Host: y\r\n"), .status(400)),
        HostileCase(
            "two different Content-Lengths (RFC 9112 §6.3)", klaim(#"{"limit":3}"#, headers: "Content-Length: 12\r\n"),
            .status(400, orClosed: true)),
    ]

    /// Malformed heads libmicrohttpd 0.9.75 hides from usagemock: an empty field name
    /// is dropped before the access handler sees the fields, and a field value is cut
    /// at a NUL byte.
    static let malformedHeadsHiddenByLibmicrohttpd: [HostileCase] = [
        HostileCase(
            "empty field name (answered, then an unsolicited 400)", get("/usage/current_balance", poe + ": novalue\r\n"), .status(400)),
        HostileCase(
            "NUL inside the Authorization value (cut there: the key before it passes)",
            Array("GET /usage/current_balance HTTP/1.1\r\n\(host)Authorization: Bearer sk_test_poe".utf8) + [0x00]
                + Array("junk\r\n\(close)\r\n".utf8), .status(400, 401)),
    ]
}

/// What a case accepts.
struct HostileExpectation: Sendable {
    var statuses: Set<Int>
    var orClosed = false
    var bodyContains: String?
    var header: String?

    static func status(_ statuses: Int..., orClosed: Bool = false, bodyContains: String? = nil, header: String? = nil) -> HostileExpectation
    {
        HostileExpectation(statuses: Set(statuses), orClosed: orClosed, bodyContains: bodyContains, header: header)
    }

    func check(_ reply: HostileReply, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let wanted = statuses.sorted().map(String.init).joined(separator: " or ") + (orClosed ? " or a closed connection" : "")
        switch reply.outcome {
        case .answered(let status, let head, let body):
            #expect(!(500..<600).contains(status), "\(name): a 5xx (\(reply))", sourceLocation: sourceLocation)
            #expect(statuses.contains(status), "\(name): wanted \(wanted), got \(reply)", sourceLocation: sourceLocation)
            if let bodyContains, statuses.contains(status) {
                #expect(
                    body.contains(bodyContains), "\(name): body \(body.prefix(200).debugDescription) lacks \(bodyContains)",
                    sourceLocation: sourceLocation)
            }
            if let header, statuses.contains(status) {
                #expect(head.contains(header), "\(name): head lacks \(header)", sourceLocation: sourceLocation)
            }
        case .closed:
            #expect(orClosed, "\(name): wanted \(wanted), the connection was closed without an answer", sourceLocation: sourceLocation)
        case .timedOut:
            Issue.record(
                "\(name): wanted \(wanted), neither answered nor closed within the receive timeout", sourceLocation: sourceLocation)
        }
    }
}

/// One receive on a connection: an answer, a close, or silence until the timeout.
struct HostileReply: CustomStringConvertible {
    enum Outcome: Equatable {
        case answered(status: Int, head: String, body: String)
        case closed
        case timedOut
    }

    let outcome: Outcome

    init(_ connection: RawConnection) {
        if let response = connection.receiveResponse() {
            outcome = .answered(status: response.status, head: response.head, body: response.body)
        } else {
            outcome = connection.timedOut ? .timedOut : .closed
        }
    }

    var status: Int? {
        if case .answered(let status, _, _) = outcome { return status }
        return nil
    }

    var body: String? {
        if case .answered(_, _, let body) = outcome { return body }
        return nil
    }

    var description: String {
        switch outcome {
        case .answered(let status, _, let body): return "\(status) \(body.prefix(160).debugDescription)"
        case .closed: return "closed without an answer"
        case .timedOut: return "no answer and not closed (timed out)"
        }
    }
}
