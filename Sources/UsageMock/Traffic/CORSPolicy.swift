import HTTPServerCore
import HTTPTypes

/// CORS for browser clients in local development: any origin may call the providers'
/// routes and read the headers clients use; preflights are answered for their paths.
/// The admin surface gets none of it (`AdminAccess`).
struct CORSPolicy: Sendable {
    /// Headers a browser script may read from a response.
    static let exposed = "X-Request-Id, X-Trace-Id, Retry-After, WWW-Authenticate, Allow, X-Usagemock-Reason, X-Usagemock-Warning"
    /// Allowed request headers when the preflight names none.
    static let defaultAllowedHeaders = "Authorization, Content-Type, X-Usagemock-Status"

    /// An `OPTIONS` request naming the method it asks for.
    static func isPreflight(_ request: MockRequest) -> Bool {
        request.method == .options && request.headers.contains(.accessControlRequestMethod)
    }

    /// 204 allowing the path's methods and the headers the browser asked for.
    static func preflight(_ request: MockRequest, allowed: [HTTPRequest.Method]) -> ServerResponse {
        var fields = HTTPFields()
        fields[.accessControlAllowMethods] = (allowed + [.options]).map(\.rawValue).joined(separator: ", ")
        fields[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? defaultAllowedHeaders
        fields[.accessControlMaxAge] = "600"
        return ServerResponse(status: .noContent, headerFields: fields)
    }

    /// What lets a browser hand a response to the calling script, built once.
    private static let responseFields = [
        HTTPField(name: .accessControlAllowOrigin, value: "*"), HTTPField(name: .accessControlExposeHeaders, value: exposed),
    ]

    /// The fields most answers share (`ServerResponse.jsonFields`) with `responseFields`,
    /// built once and shared too.
    private static let jsonWithCORS = ServerResponse.jsonFields + responseFields

    /// Adds what lets a browser hand the response to the calling script. Appended, not
    /// set: no route sends these fields itself, and setting a field searches the others.
    /// An answer with the shared JSON fields gets `jsonWithCORS` instead: appending
    /// would copy its fields first (shared, copy on write) on every request.
    /// An answer with a prepared head gets its worker's prepared addition of these
    /// fields (`ServerResponse.append`).
    static func decorate(_ response: inout ServerResponse, worker: Int) {
        if response.preparedHead == nil, response.head.headerFields == ServerResponse.jsonFields {
            response.head.headerFields = jsonWithCORS
        } else {
            response.append(contentsOf: responseFields, worker: worker)
        }
    }
}
