import HTTPServerCore
import HTTPTypes

/// One endpoint: a method and path pattern and what answers it. A class: a match, the
/// traffic note and the journal entry each hold the route, and each copy of a struct
/// of five reference-counted fields would cost five retains on the request path.
public final class Route: Sendable {
    public let method: HTTPRequest.Method
    public let pattern: PathPattern
    public let handler: @Sendable (MockRequest) -> ServerResponse
    /// What it accepts and answers, for the provider's OpenAPI document.
    public let documentation: RouteDocumentation?

    public init(
        _ method: HTTPRequest.Method, _ pattern: String, documentation: RouteDocumentation? = nil,
        handler: @escaping @Sendable (MockRequest) -> ServerResponse
    ) {
        self.method = method
        self.pattern = PathPattern(pattern)
        self.documentation = documentation
        self.handler = handler
    }

    /// `GET /usage/current_balance`, as the journal, the index and the summary show it.
    public var summary: String { "\(method.rawValue) \(pattern)" }
}

/// The routes of one owner (a provider, or the admin surface) with the owner's answer
/// for a known path called with another method (docs/behaviour.md, common rule 5).
public final class RouteGroup: Sendable {
    public let routes: [Route]
    /// Builds the 405 body in the owner's error shape; the router adds `Allow`.
    public let methodNotAllowed: @Sendable (MockRequest) -> ServerResponse
    /// The 405 answer as the OpenAPI document describes it (`Allow` is added there).
    let methodNotAllowedDocumentation: ResponseDocumentation?

    init(
        routes: [Route], methodNotAllowed: @escaping @Sendable (MockRequest) -> ServerResponse,
        methodNotAllowedDocumentation: ResponseDocumentation? = nil
    ) {
        self.routes = routes
        self.methodNotAllowed = methodNotAllowed
        self.methodNotAllowedDocumentation = methodNotAllowedDocumentation
    }
}

/// What a request's method and path select among the router's groups.
public enum RouteMatch: Sendable {
    /// A route of `groups[group]`, with the values of its named path segments.
    case route(Route, group: Int, pathParameters: [String: String])
    /// A path of `groups[group]` called with a method it does not serve.
    case methodNotAllowed(group: Int, allowed: [HTTPRequest.Method])
    /// No group has this path.
    case noRoute

    /// The index of the group that owns the path.
    public var group: Int? {
        switch self {
        case .route(_, let group, _), .methodNotAllowed(let group, _): group
        case .noRoute: nil
        }
    }
}

/// Matches a request to a route by method and exact path.
public struct Router: Sendable {
    let groups: [RouteGroup]

    public init(_ groups: [RouteGroup]) {
        self.groups = groups
    }

    /// The first group with this path decides: its route for the method, or 405.
    public func match(_ request: MockRequest) -> RouteMatch {
        for (index, group) in groups.enumerated() {
            var allowed: [HTTPRequest.Method] = []
            for route in group.routes {
                guard let parameters = route.pattern.match(request.target) else { continue }
                if route.method == request.method {
                    return .route(route, group: index, pathParameters: parameters)
                }
                allowed.append(route.method)
            }
            if !allowed.isEmpty { return .methodNotAllowed(group: index, allowed: allowed) }
        }
        return .noRoute
    }

    /// The matching route's response; 405 with `Allow` in the owner's shape when only
    /// the method differs; nil when no route has this path.
    public func respond(to request: MockRequest) -> ServerResponse? {
        respond(to: request, match(request))
    }

    /// The response for an already computed match.
    public func respond(to request: MockRequest, _ match: RouteMatch) -> ServerResponse? {
        switch match {
        case .route(let route, _, let parameters):
            // A copy of the request only to add named segments: most routes have none.
            guard !parameters.isEmpty else { return route.handler(request) }
            var matched = request
            matched.pathParameters = parameters
            return route.handler(matched)
        case .methodNotAllowed(let group, let allowed):
            var response = groups[group].methodNotAllowed(request)
            response.head.status = .methodNotAllowed
            response.head.headerFields[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
            response.head.headerFields[MockHeaders.reason] = "method \(request.method.rawValue) not allowed on this path"
            return response
        case .noRoute:
            return nil
        }
    }
}
