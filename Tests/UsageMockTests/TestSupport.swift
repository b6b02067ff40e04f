import Foundation
import HTTPServerCore
import HTTPTypes
import MicroHTTPDServer
import SocketTestSupport
import Testing

@testable import UsageMock

/// The default scenario, loaded once for all tests that need no scenario of their own.
let defaultApplication = application(ScenarioLoader.loadDefault())

/// An application without an access log, so tests stay quiet.
func application(_ scenario: LoadedScenario, traffic: TrafficOptions = TrafficOptions()) -> MockApplication {
    MockApplication(scenario: scenario, traffic: traffic)
}

/// A response with its body parsed as JSON, for assertions.
struct TestResponse {
    let status: Int
    let headers: HTTPFields
    let body: [UInt8]
    var delay: Duration = .zero
    var dropsConnection = false

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body decoded strictly: a missing field, one of another type, or a null where
    /// the type has no `Nullable` fails. (Fields the type does not name are ignored:
    /// tests that care compare key sets.)
    func decoded<Page: Decodable>(as type: Page.Type = Page.self) throws -> Page {
        try JSONDecoder().decode(Page.self, from: Data(body))
    }
    var json: Any { (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) ?? NSNull() }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

/// How a test's requests reach the application. One test body runs over each, as
/// Hummingbird's `app.test(.router)` and `app.test(.live)` do: straight through
/// `respond(to:)`, or as HTTP/1.1 bytes over a loopback socket to a real `HTTPServer`
/// (libmicrohttpd) around the same application, so what the suites specify is what a
/// client on the wire gets.
enum Transport: CaseIterable, Sendable, CustomTestStringConvertible {
    case inProcess
    case live

    var testDescription: String {
        switch self {
        case .inProcess: "in-process"
        case .live: "live"
        }
    }
}

/// An application reached through one transport. A live client owns its server, which
/// listens on a port the kernel picks and stops when the client goes.
final class TestClient: Sendable {
    private let application: MockApplication
    /// Nil in-process.
    private let server: HTTPServer?

    init(_ application: MockApplication, via transport: Transport) throws {
        self.application = application
        switch transport {
        case .inProcess:
            server = nil
        case .live:
            let server = try HTTPServer(configuration: ServerConfiguration(port: 0, threads: 2), responder: application)
            try server.start()
            self.server = server
        }
    }

    deinit {
        server?.shutdown()
    }

    /// The default application over each transport, the live one started on first use
    /// (static lets are lazy) and kept for the whole run. A server that cannot listen on
    /// loopback leaves nothing to test: `try!` stops the run there.
    private static let defaultInProcess = try! TestClient(defaultApplication, via: .inProcess)
    private static let defaultLive = try! TestClient(defaultApplication, via: .live)
    static func forDefaultApplication(via transport: Transport) -> TestClient {
        switch transport {
        case .inProcess: defaultInProcess
        case .live: defaultLive
        }
    }

    /// Sends one request; `key` becomes a bearer `Authorization`, which `authorization`
    /// replaces when given.
    func send(
        _ method: HTTPRequest.Method = .get,
        _ target: String,
        key: String? = nil,
        authorization: String? = nil,
        body: String? = nil,
        headers: [String: String] = [:]
    ) -> TestResponse {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        if let key { fields[.authorization] = "Bearer \(key)" }
        if let authorization { fields[.authorization] = authorization }
        guard let server else {
            let head = HTTPRequest(method: method, scheme: nil, authority: nil, path: target, headerFields: fields)
            let response = application.respond(to: ServerRequest(head: head, body: Array((body ?? "").utf8)))
            return TestResponse(
                status: response.head.status.code, headers: response.head.headerFields, body: response.body,
                delay: response.delay, dropsConnection: response.dropsConnection)
        }
        // The admin surface answers only a loopback Host; no body means no Content-Length,
        // as curl sends a bare POST.
        var request = "\(method.rawValue) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for field in fields { request += "\(field.name.rawName): \(field.value)\r\n" }
        if let body { request += "Content-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + (body ?? "")
        guard let connection = try? RawConnection(port: server.port) else {
            Issue.record("no connection to the live server on port \(server.port)")
            return TestResponse(status: 0, headers: [:], body: [])
        }
        connection.send(request)
        guard let response = connection.receiveResponse() else {
            Issue.record("no response from the live server to \(method) \(target)")
            return TestResponse(status: 0, headers: [:], body: [])
        }
        var responseFields = HTTPFields()
        for (name, value) in response.headerFields { responseFields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return TestResponse(status: response.status, headers: responseFields, body: response.bodyBytes)
    }
}

/// Sends one request to the default application over `transport`.
func send(
    _ method: HTTPRequest.Method = .get,
    _ target: String,
    key: String? = nil,
    authorization: String? = nil,
    body: String? = nil,
    headers: [String: String] = [:],
    via transport: Transport = .inProcess
) -> TestResponse {
    TestClient.forDefaultApplication(via: transport).send(
        method, target, key: key, authorization: authorization, body: body, headers: headers)
}

/// Sends one request through `application` in-process (no sockets).
func send(
    _ method: HTTPRequest.Method = .get,
    _ target: String,
    key: String? = nil,
    authorization: String? = nil,
    body: String? = nil,
    headers: [String: String] = [:],
    to application: MockApplication
) -> TestResponse {
    // An in-process client holds no resources: building one per request is free.
    try! TestClient(application, via: .inProcess).send(method, target, key: key, authorization: authorization, body: body, headers: headers)
}

/// Loads a scenario from JSON text, for tests of the loader.
func loadScenario(_ json: String, file: String = "test.json") throws(ScenarioError) -> LoadedScenario {
    try ScenarioLoader.load(json: Data(json.utf8), file: file)
}

/// The repository's root, for reading `Scenarios/`.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

extension Dictionary where Key == String, Value == Any {
    subscript(path path: String...) -> Any? {
        var current: Any? = self
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }
}

/// A field that must be present and may be null. (`T?` would also accept it missing:
/// synthesized decoding reads optionals with `decodeIfPresent`.)
struct Nullable<Wrapped: Decodable & Sendable>: Decodable, Sendable {
    let value: Wrapped?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        value = container.decodeNil() ? nil : try container.decode(Wrapped.self)
    }
}
