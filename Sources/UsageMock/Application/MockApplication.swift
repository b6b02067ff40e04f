import HTTPServerCore
import HTTPTypes

/// The whole mock as one responder: the admin routes, then every provider of the
/// scenario served (which `/__admin/` can swap), the traffic features (CORS, forced
/// statuses, faults, journal) around them, and an access-log line per request.
///
/// It needs no sockets: tests call `respond(to:)` directly with a `ServerRequest`.
public struct MockApplication: HTTPResponder {
    let state: ScenarioState
    let traffic: TrafficControl
    /// `/__admin/` (and the index at `/`) has a router of its own: the providers' router
    /// changes with the scenario.
    let adminRouter: Router
    /// Where a line per request goes; nil: no access log.
    let accessLog: BatchedStandardError?
    /// Who may use `/__admin/`.
    let admin: AdminAccess

    public init(
        scenario: LoadedScenario, traffic options: TrafficOptions = TrafficOptions(), admin: AdminAccess = AdminAccess(),
        accessLog: BatchedStandardError? = nil
    ) {
        let traffic = TrafficControl(options: options)
        let state = ScenarioState(scenario)
        self.state = state
        self.traffic = traffic
        let adminGroups = [
            DashboardRoute.group(), AdminRoutes.group(state: state, droppedLogLines: { accessLog?.droppedLines ?? 0 }),
            ScenarioAdminRoutes.group(state),
            OpenAPIAdminRoutes.group(state), TrafficAdminRoutes.group(traffic, state: state),
        ]
        adminRouter = Router(adminGroups + [IndexRoute.group(state, adminRoutes: adminGroups.flatMap(\.routes))])
        self.accessLog = accessLog
        self.admin = admin
    }

    /// The scenario served now.
    public var scenario: LoadedScenario { state.served.scenario }

    /// What `serve` prints on stderr once ready: each provider's routes and keys, and
    /// where the admin surface is and who may use it.
    public func startupSummary(baseURL: String) -> String {
        let scenario = self.scenario
        var lines = ["usagemock: scenario \"\(scenario.name)\", clock \(UTCTime.timestamp(seconds: scenario.clockSeconds))"]
        let width = (scenario.providers.map(\.name.count) + [5]).max()! + 2
        func padded(_ name: String) -> String { "  " + name + String(repeating: " ", count: width - name.count) }
        for provider in scenario.providers {
            lines.append(padded(provider.name) + provider.routes.routes.map(\.summary).joined(separator: ", "))
            let keys =
                provider.keys.prefix(3).joined(separator: ", ") + (provider.keys.count > 3 ? " and \(provider.keys.count - 3) more" : "")
            lines.append(padded("") + "keys: \(keys) (\(provider.countsText))")
        }
        let access =
            admin.token != nil
            ? "admin token required"
            : admin.isLoopbackOnly ? "this machine only" : "open to the network: see --admin-token"
        lines.append(
            padded("admin") + "\(baseURL)/__admin/ (dashboard; health, scenario, reset, clock, usage, requests, faults, openapi; \(access))"
        )
        return lines.joined(separator: "\n")
    }

    /// Serves a scenario read from its file again (`serve --watch`), which reset then
    /// returns to; an invalid one is refused whole and the old one stays.
    @discardableResult
    public func reloadScenario(json: [UInt8], file: String) throws(ScenarioError) -> LoadedScenario {
        try state.replace(json: json, file: file, asBaseline: true)
    }

    public func respond(to request: ServerRequest) -> ServerResponse {
        let start = request.receivedAt
        var response: ServerResponse
        let path: Substring
        var note = TrafficNote()
        do {
            let target = try RequestTarget(request.target)
            let mockRequest = MockRequest(method: request.method, target: target, headers: request.headers, body: request.body)
            path = target.rawPath
            let served = state.served(byWorker: request.worker)
            // Only paths under /__admin/ can be admin routes: a provider request skips them.
            note.isAdmin = target.firstSegmentIs(AdminRoutes.firstSegment)
            if note.isAdmin, let refusal = admin.refusal(for: mockRequest) {
                response = refusal
            } else {
                let adminMatch = note.isAdmin || target.rawPath == "/" ? adminRouter.match(mockRequest) : .noRoute
                let isAdmin = adminMatch.group != nil
                let router = isAdmin ? adminRouter : served.router
                let match = isAdmin ? adminMatch : served.router.match(mockRequest)
                let provider = isAdmin ? nil : match.group.map { served.scenario.providers[$0] }
                response =
                    traffic.intercept(mockRequest, match, provider: provider, faults: served.faults, note: &note)
                    ?? router.respond(to: mockRequest, match) ?? MockError.noRoute(mockRequest)
                if let route = note.route {
                    traffic.explain(&response, to: mockRequest, route: route, keyOwners: served.keyOwners, worker: request.worker)
                }
            }
        } catch {
            path = request.target[...]
            let reason =
                error == .invalidPercentEncoding
                ? "invalid percent-encoding in the request path" : "the request target must be a path starting with /"
            response = MockError.response(.badRequest, error: "bad_request", message: reason)
        }
        let micros = Self.microseconds(since: start)
        let status = response.dropsConnection ? nil : response.statusCode
        traffic.finish(&response, to: request, status: status, note: note, durationMicros: micros)
        logAccess(method: request.method.rawValue, path: path, status: status, micros: micros, worker: request.worker)
        return response
    }

    public func respond(toRejected request: ServerRequest, reason: RequestRejection) -> ServerResponse {
        var response: ServerResponse
        switch reason {
        case .bodyTooLarge(let limit):
            response = MockError.response(.contentTooLarge, error: "payload_too_large", message: "request body exceeds \(limit) bytes")
        case .headTooLarge(let limit):
            response = MockError.response(
                .requestHeaderFieldsTooLarge, error: "request_header_fields_too_large", message: "request head exceeds \(limit) bytes")
        case .requestLineTooLong(let limit):
            response = MockError.response(.uriTooLong, error: "uri_too_long", message: "request line exceeds \(limit) bytes")
        case .tooManyQueryParameters(let limit):
            response = MockError.response(
                .uriTooLong, error: "uri_too_long", message: "request target has more than \(limit) query parameters")
        case .malformedMethod:
            response = MockError.response(.badRequest, error: "bad_request", message: "malformed request method")
        case .malformedHeader(let problem):
            response = MockError.response(.badRequest, error: "bad_request", message: "malformed request head: \(problem)")
        }
        let path = request.target.prefix(200)
        var note = TrafficNote()
        note.isAdmin = path.hasPrefix("/\(AdminRoutes.firstSegment)/")
        let status = response.statusCode
        traffic.finish(&response, to: request, status: status, note: note, durationMicros: 0)
        logAccess(method: request.method.rawValue, path: path, status: status, micros: 0, worker: request.worker)
        return response
    }

    /// Method, path (no query: it may carry cursors a user considers private), status (or
    /// `dropped`) and duration; never a header value, so no `Authorization` reaches a log.
    private func logAccess(method: String, path: Substring, status: Int?, micros: Int, worker: Int) {
        accessLog?.writeAccessLine(method: method, path: path, status: status, micros: micros, worker: worker)
    }

    /// From `attoseconds`, which the compiler divides with a multiplication: `components`
    /// took about 300 instructions per request, dividing 128-bit numbers in software.
    private static func microseconds(since start: ContinuousClock.Instant) -> Int {
        Int(truncatingIfNeeded: (ContinuousClock.now - start).attoseconds / 1_000_000_000_000)
    }
}
