import HTTPTypes
import MicroHTTPDServer

/// CORS for browser clients in local development: any origin may call the providers'
/// routes and read the headers clients use; preflights are answered for their paths.
/// The admin surface gets none of it (`AdminAccess`).
struct CORSPolicy: Sendable {
    static let requestMethod = HTTPField.Name("Access-Control-Request-Method")!
    static let requestHeaders = HTTPField.Name("Access-Control-Request-Headers")!
    static let allowOrigin = HTTPField.Name("Access-Control-Allow-Origin")!
    static let allowMethods = HTTPField.Name("Access-Control-Allow-Methods")!
    static let allowHeaders = HTTPField.Name("Access-Control-Allow-Headers")!
    static let exposeHeaders = HTTPField.Name("Access-Control-Expose-Headers")!
    static let maxAge = HTTPField.Name("Access-Control-Max-Age")!

    /// Headers a browser script may read from a response.
    static let exposed = "X-Request-Id, X-Trace-Id, Retry-After, WWW-Authenticate, Allow, X-Usagemock-Reason, X-Usagemock-Warning"
    /// Allowed request headers when the preflight names none.
    static let defaultAllowedHeaders = "Authorization, Content-Type, X-Usagemock-Status"

    /// An `OPTIONS` request naming the method it asks for.
    static func isPreflight(_ request: MockRequest) -> Bool {
        request.method == .options && request.headerFields.contains(requestMethod)
    }

    /// 204 allowing the path's methods and the headers the browser asked for.
    static func preflight(_ request: MockRequest, allowed: [HTTPRequest.Method]) -> ServerResponse {
        var fields = HTTPFields()
        fields[allowMethods] = (allowed + [.options]).map(\.rawValue).joined(separator: ", ")
        fields[allowHeaders] = request.headerFields[requestHeaders] ?? defaultAllowedHeaders
        fields[maxAge] = "600"
        return ServerResponse(status: .noContent, headerFields: fields)
    }

    /// What lets a browser hand a response to the calling script, built once.
    private static let responseFields = [HTTPField(name: allowOrigin, value: "*"), HTTPField(name: exposeHeaders, value: exposed)]

    /// The fields most answers share (`ServerResponse.jsonFields`) with `responseFields`,
    /// built once and shared too.
    private static let jsonWithCORS = ServerResponse.jsonFields + responseFields

    /// Adds what lets a browser hand the response to the calling script. Appended, not
    /// set: no route sends these fields itself, and setting a field searches the others.
    /// An answer with the shared JSON fields gets `jsonWithCORS` instead: appending
    /// copied its fields first (shared, copy on write), 5% of a balance request's work.
    static func decorate(_ response: inout ServerResponse) {
        if response.head.headerFields == ServerResponse.jsonFields {
            response.head.headerFields = jsonWithCORS
        } else {
            response.head.headerFields.append(contentsOf: responseFields)
        }
    }
}
