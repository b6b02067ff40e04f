import HTTPTypes
import Logging
import MicroHTTPDServer

/// The whole mock as one responder: the admin routes, then every provider of the
/// scenario served (which `/__admin/` can swap), with an access-log line per request.
///
/// It needs no sockets: tests call `respond(to:)` directly with a `ServerRequest`.
public struct MockApplication: HTTPResponder {
    let state: ScenarioState
    let adminRouter: Router
    let logger: Logger

    public init(scenario: LoadedScenario, logger: Logger = Logger(label: "usagemock")) {
        state = ScenarioState(scenario)
        adminRouter = Router([AdminRoutes.group(state: state), ScenarioAdminRoutes.group(state), OpenAPIAdminRoutes.group(state)])
        self.logger = logger
    }

    /// The scenario served now.
    public var scenario: LoadedScenario { state.served.scenario }

    /// Serves a scenario read from its file again (`serve --watch`), which reset then
    /// returns to; an invalid one is refused whole and the old one stays.
    @discardableResult
    public func reloadScenario(json: [UInt8], file: String) throws(ScenarioError) -> LoadedScenario {
        try state.replace(json: json, file: file, asBaseline: true)
    }

    public func respond(to request: ServerRequest) -> ServerResponse {
        let start = ContinuousClock.now
        let response: ServerResponse
        let path: String
        do {
            let target = try RequestTarget(request.head.path ?? "")
            let mockRequest = MockRequest(method: request.head.method, target: target, headerFields: request.head.headerFields, body: request.body)
            path = target.rawPath
            response = adminRouter.respond(to: mockRequest) ?? state.served.router.respond(to: mockRequest) ?? MockError.noRoute(mockRequest)
        } catch {
            path = request.head.path ?? ""
            let reason = error == .invalidPercentEncoding ? "invalid percent-encoding in the request path" : "the request target must be a path starting with /"
            response = MockError.response(.badRequest, error: "bad_request", message: reason)
        }
        logAccess(method: request.head.method.rawValue, path: path, status: response.head.status.code, since: start)
        return response
    }

    public func respond(toRejected head: HTTPRequest, reason: RequestRejection) -> ServerResponse {
        let response: ServerResponse
        switch reason {
        case .bodyTooLarge(let limit):
            response = MockError.response(.contentTooLarge, error: "payload_too_large", message: "request body exceeds \(limit) bytes")
        case .headTooLarge(let limit):
            response = MockError.response(.requestHeaderFieldsTooLarge, error: "request_header_fields_too_large", message: "request head exceeds \(limit) bytes")
        case .requestLineTooLong(let limit):
            response = MockError.response(.uriTooLong, error: "uri_too_long", message: "request line exceeds \(limit) bytes")
        case .malformedMethod:
            response = MockError.response(.badRequest, error: "bad_request", message: "malformed request method")
        case .malformedHeader(let problem):
            response = MockError.response(.badRequest, error: "bad_request", message: "malformed request head: \(problem)")
        }
        let path = head.path.map { String($0.prefix(200)) } ?? ""
        logAccess(method: head.method.rawValue, path: path, status: response.head.status.code, since: .now)
        return response
    }

    /// Method, path (no query: it may carry cursors a user considers private), status and
    /// duration; never a header value, so no `Authorization` reaches a log.
    private func logAccess(method: String, path: String, status: Int, since start: ContinuousClock.Instant) {
        guard logger.logLevel <= .info else { return }
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        logger.info("\(method) \(path) \(status) \(micros)us")
    }
}
