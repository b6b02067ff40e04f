import HTTPTypes
import MicroHTTPDServer

/// One endpoint: a method and path pattern and what answers it.
public struct Route: Sendable {
    public let method: HTTPRequest.Method
    public let pattern: PathPattern
    public let handler: @Sendable (MockRequest) -> ServerResponse
    /// What it accepts and answers, for the provider's OpenAPI document.
    public let documentation: RouteDocumentation?

    public init(_ method: HTTPRequest.Method, _ pattern: String, documentation: RouteDocumentation? = nil,
                handler: @escaping @Sendable (MockRequest) -> ServerResponse) {
        self.method = method
        self.pattern = PathPattern(pattern)
        self.documentation = documentation
        self.handler = handler
    }
}

/// The routes of one owner (a provider, or the admin surface) with the owner's answer
/// for a known path called with another method (SPEC.md rule 5).
public struct RouteGroup: Sendable {
    public let routes: [Route]
    /// Builds the 405 body in the owner's error shape; the router adds `Allow`.
    public let methodNotAllowed: @Sendable (MockRequest) -> ServerResponse
    /// The 405 answer as the OpenAPI document describes it (`Allow` is added there).
    let methodNotAllowedDocumentation: ResponseDocumentation?

    init(routes: [Route], methodNotAllowed: @escaping @Sendable (MockRequest) -> ServerResponse,
         methodNotAllowedDocumentation: ResponseDocumentation? = nil) {
        self.routes = routes
        self.methodNotAllowed = methodNotAllowed
        self.methodNotAllowedDocumentation = methodNotAllowedDocumentation
    }
}

/// Matches a request to a route by method and exact path.
public struct Router: Sendable {
    let groups: [RouteGroup]

    public init(_ groups: [RouteGroup]) {
        self.groups = groups
    }

    /// The response of the matching route; 405 with `Allow` in the owner's shape when
    /// only the method differs; nil when no route has this path.
    public func respond(to request: MockRequest) -> ServerResponse? {
        for group in groups {
            var allowed: [HTTPRequest.Method] = []
            for route in group.routes {
                guard let parameters = route.pattern.match(request.target.segments) else { continue }
                if route.method == request.method {
                    var matched = request
                    matched.pathParameters = parameters
                    return route.handler(matched)
                }
                allowed.append(route.method)
            }
            if !allowed.isEmpty {
                var response = group.methodNotAllowed(request)
                response.head.status = .methodNotAllowed
                response.head.headerFields[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                return response
            }
        }
        return nil
    }
}
