// The one file that names the server's message types (ServerRequest and the
// ServerResponse that respond(to:) returns, from HTTPServerCore).
import HTTPServerCore
import HTTPTypes
import UsageMock

/// A request as the server hands it to `MockApplication.respond(to:)` (Host,
/// Authorization and, with a body, Content-Type and Content-Length), built once so
/// that only the answer is counted, not the building of the request.
struct PreparedRequest: Sendable {
    private let request: ServerRequest

    init(method: HTTPRequest.Method, target: String, authorization: String, body: String = "", worker: Int = 0) {
        var fields: HTTPFields = [HTTPField.Name("Host")!: "127.0.0.1:8080", .authorization: authorization]
        if !body.isEmpty {
            fields[.contentType] = "application/json"
            fields[.contentLength] = String(body.utf8.count)
        }
        request = ServerRequest(
            method: method, target: target, headers: RequestHeaders(fields), body: Array(body.utf8), worker: worker)
    }

    /// Answers the request once and drops the answer; returns its status code.
    @inline(never)
    func send(to application: MockApplication) -> Int {
        application.respond(to: request).head.status.code
    }
}
