import HTTPTypes
import Logging
import MicroHTTPDServer

/// The whole mock as one responder: the admin routes and every provider of the loaded
/// scenario behind one router, the traffic features (CORS, forced statuses, faults,
/// journal) around it, and an access-log line per request.
///
/// It needs no sockets: tests call `respond(to:)` directly with a `ServerRequest`.
public struct MockApplication: HTTPResponder {
    public let scenario: LoadedScenario
    let router: Router
    /// The provider owning each of the router's groups; nil for the admin groups.
    let groupProviders: [(any ServedProvider)?]
    let traffic: TrafficControl
    let logger: Logger

    public init(scenario: LoadedScenario, traffic options: TrafficOptions = TrafficOptions(), logger: Logger = Logger(label: "usagemock")) {
        self.scenario = scenario
        traffic = TrafficControl(options: options, faults: scenario.faults)
        let admin = [AdminRoutes.group(scenarioName: scenario.name), TrafficAdminRoutes.group(traffic, providers: scenario.providers)]
        router = Router(admin + scenario.providers.map(\.routes))
        groupProviders = admin.map { _ in nil } + scenario.providers
        self.logger = logger
    }

    public func respond(to request: ServerRequest) -> ServerResponse {
        let start = ContinuousClock.now
        var response: ServerResponse
        let path: String
        var note = TrafficNote()
        do {
            let target = try RequestTarget(request.head.path ?? "")
            let mockRequest = MockRequest(method: request.head.method, target: target, headerFields: request.head.headerFields, body: request.body)
            path = target.rawPath
            let match = router.match(mockRequest)
            response = traffic.intercept(mockRequest, match, provider: match.group.flatMap { groupProviders[$0] }, note: &note)
                ?? router.respond(to: mockRequest, match) ?? MockError.noRoute(mockRequest)
        } catch {
            path = request.head.path ?? ""
            let reason = error == .invalidPercentEncoding ? "invalid percent-encoding in the request path" : "the request target must be a path starting with /"
            response = MockError.response(.badRequest, error: "bad_request", message: reason)
        }
        let micros = Self.microseconds(since: start)
        traffic.finish(&response, to: request.head, path: path, bodySize: request.body.count, note: note, durationMicros: micros)
        logAccess(method: request.head.method.rawValue, path: path, response: response, micros: micros)
        return response
    }

    public func respond(toRejected head: HTTPRequest, reason: RequestRejection) -> ServerResponse {
        var response: ServerResponse
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
        traffic.finish(&response, to: head, path: path, bodySize: 0, note: TrafficNote(), durationMicros: 0)
        logAccess(method: head.method.rawValue, path: path, response: response, micros: 0)
        return response
    }

    /// Method, path (no query: it may carry cursors a user considers private), status (or
    /// `dropped`) and duration; never a header value, so no `Authorization` reaches a log.
    private func logAccess(method: String, path: String, response: ServerResponse, micros: Int) {
        guard logger.logLevel <= .info else { return }
        if response.dropsConnection {
            logger.info("\(method) \(path) dropped \(micros)us")
        } else {
            logger.info("\(method) \(path) \(response.head.status.code) \(micros)us")
        }
    }

    private static func microseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds) * 1_000_000 + Int(elapsed.components.attoseconds / 1_000_000_000_000)
    }
}
