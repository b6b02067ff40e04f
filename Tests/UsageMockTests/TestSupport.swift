import Foundation
import HTTPTypes
import MicroHTTPDServer
@testable import UsageMock

/// The default scenario, loaded once for all in-process tests.
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
    var json: Any { (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) ?? NSNull() }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

/// Sends one request through the application in-process (no sockets).
func send(
    _ method: HTTPRequest.Method = .get,
    _ target: String,
    key: String? = nil,
    authorization: String? = nil,
    body: String? = nil,
    headers: [String: String] = [:],
    to application: MockApplication = defaultApplication
) -> TestResponse {
    var fields = HTTPFields()
    for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
    if let key { fields[.authorization] = "Bearer \(key)" }
    if let authorization { fields[.authorization] = authorization }
    let head = HTTPRequest(method: method, scheme: nil, authority: nil, path: target, headerFields: fields)
    let response = application.respond(to: ServerRequest(head: head, body: Array((body ?? "").utf8)))
    return TestResponse(status: response.head.status.code, headers: response.head.headerFields, body: response.body,
                        delay: response.delay, dropsConnection: response.dropsConnection)
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
