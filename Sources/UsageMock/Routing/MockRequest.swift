import HTTPServerCore
import HTTPTypes

/// A request as routes see it: decoded target, header fields, body, and the values of
/// the route's named path segments.
public struct MockRequest: Sendable {
    public let method: HTTPRequest.Method
    public let target: RequestTarget
    public let headers: RequestHeaders
    public let body: [UInt8]
    public internal(set) var pathParameters: [String: String] = [:]

    public init(method: HTTPRequest.Method, target: RequestTarget, headers: RequestHeaders = RequestHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// `GET /path`, as error messages quote a request.
    var methodAndPath: String { "\(method.rawValue) \(target.rawPath)" }
}

extension ServerResponse {
    /// A JSON response; docs/behaviour.md promises `Content-Type: application/json` on every one.
    static func json(_ status: HTTPResponse.Status, _ body: [UInt8], headers: consuming HTTPFields = [:]) -> ServerResponse {
        guard !headers.isEmpty else { return ServerResponse(status: status, headerFields: jsonFields, body: body) }
        // Appended, not set (no caller gives a Content-Type): setting a field searches the
        // others for its name and replaces through HTTPTypes' generic path. Room for it
        // and for CORS's two fields (`CORSPolicy.decorate`), so the fields grow only once.
        var fields = headers
        fields.reserveCapacity(fields.count + 3)
        fields.append(HTTPField(name: .contentType, value: "application/json"))
        return ServerResponse(status: status, headerFields: fields, body: body)
    }

    /// A 200 JSON response (a page) under a head prepared once, with `field` (an id)
    /// added: no header fields are built for it.
    static func jsonOK(_ body: [UInt8], adding field: RequestField? = nil) -> ServerResponse {
        ServerResponse(head: jsonOKHead, adding: field, body: body)
    }

    /// Built once and shared (copy on write): most answers carry only this field.
    static let jsonFields: HTTPFields = [.contentType: "application/json"]

    /// The head of `jsonOK`'s answers.
    static let jsonOKHead = PreparedResponse(head: HTTPResponse(status: .ok, headerFields: jsonFields))
}
