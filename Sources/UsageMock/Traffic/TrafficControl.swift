import HTTPServerCore
import HTTPTypes

/// How the traffic features are set up (`serve --journal-size`, `--no-cors`).
public struct TrafficOptions: Sendable {
    public static let defaultJournalSize = 1000

    /// Requests the journal keeps; 0 turns it off.
    public var journalSize: Int
    public var cors: Bool

    public init(journalSize: Int = defaultJournalSize, cors: Bool = true) {
        self.journalSize = journalSize
        self.cors = cors
    }
}

/// What the traffic layer learned about one request: who answered, which fault fired,
/// how long to hold the response.
struct TrafficNote {
    var provider: String?
    var route: Route?
    var faultID: Int?
    var delay: Duration = .zero
    /// A request under `/__admin/`: no CORS, no journal entry.
    var isAdmin = false
}

/// Everything between the router and the client that is not a provider's business:
/// CORS, `X-Usagemock-Status`, faults and the request journal.
final class TrafficControl: Sendable {
    static let forcedStatusHeader = HTTPField.Name("X-Usagemock-Status")!

    let options: TrafficOptions
    let journal: RequestJournal

    init(options: TrafficOptions) {
        self.options = options
        journal = RequestJournal(capacity: options.journalSize)
    }

    /// The answer that replaces the route's, if any: a CORS preflight, a status forced
    /// by the request's header, or a firing fault. Both of the last apply to provider
    /// routes only, after the route and method matched and before the key is checked.
    /// `faults`: those of the scenario that matched the route.
    func intercept(
        _ request: MockRequest, _ match: RouteMatch, provider: (any ServedProvider)?, faults: FaultEngine, note: inout TrafficNote
    ) -> ServerResponse? {
        note.provider = provider?.name
        switch match {
        case .methodNotAllowed(_, let allowed):
            // Preflights for provider routes only: the admin surface is not for other sites.
            guard options.cors, provider != nil, CORSPolicy.isPreflight(request) else { return nil }
            return CORSPolicy.preflight(request, allowed: allowed)
        case .route(let route, _, _):
            guard let provider else { return nil }
            note.route = route
            if let forced = request.headers[Self.forcedStatusHeader] {
                return forcedResponse(forced, provider)
            }
            // A closure written in the call stays on the stack; the token is read only when a fault is armed.
            guard
                let fault = faults.fault(
                    provider: provider.name, route: route.pattern.description, token: { bearerToken(in: request.headers) })
            else { return nil }
            note.faultID = fault.id
            note.delay = .milliseconds(fault.rule.delayMilliseconds)
            if fault.rule.drop {
                var dropped = ServerResponse(status: .ok)
                dropped.dropsConnection = true
                return dropped
            }
            return fault.rule.status.map {
                injected(provider, $0, retryAfter: fault.rule.retryAfter).explained("fault \(fault.id) injected \($0.rawValue)")
            }
        case .noRoute:
            return nil
        }
    }

    /// What a provider route's answer needs said beside its body: why a 401 (computed
    /// only then), and the query parameters the route ignored. `keyOwners`: see
    /// `ResponseReasons.keyOwners(of:)`; `worker`: the request's (`ServerRequest.worker`).
    func explain(
        _ response: inout ServerResponse, to request: MockRequest, route: Route, keyOwners: [String: [HTTPField]], worker: Int
    ) {
        if response.statusCode == HTTPResponse.Status.unauthorized.code,
            response.fieldsBesideRequestField.firstValue(of: MockHeaders.reason) == nil
        {
            // Appended (there is none yet): a prepared 401 stays prepared (see `PreparedResponse.adding`).
            response.append(contentsOf: ResponseReasons.unauthorized(request.headers, keyOwners: keyOwners), worker: worker)
        }
        response.warn(ResponseReasons.ignoredQueryParameters(request.target.query, route: route))
    }

    /// After the answer is made: the fault's delay, CORS headers, the journal entry.
    /// Requests to `/__admin/` are not journaled, so reading the journal leaves it as it was.
    /// `status`: the answer's status code, nil when a fault drops the connection.
    func finish(_ response: inout ServerResponse, to request: ServerRequest, status: Int?, note: TrafficNote, durationMicros: Int) {
        response.delay = note.delay
        if options.cors, !note.isAdmin { CORSPolicy.decorate(&response, worker: request.worker) }
        guard journal.capacity > 0, !note.isAdmin else { return }
        journal.record(
            JournalEntry(
                receivedAtMicros: JournalEntry.now() - durationMicros, method: request.method.rawValue, target: request.target,
                headers: request.headers, body: request.body, provider: note.provider,
                route: note.route,
                status: status,
                responseSize: response.dropsConnection ? nil : response.body.count, durationMicros: durationMicros, faultID: note.faultID,
                responseFields: response.fieldsBesideRequestField
            ), worker: request.worker)
    }

    /// The provider's error for a forced status, or 400 naming the accepted values.
    private func forcedResponse(_ value: String, _ provider: any ServedProvider) -> ServerResponse {
        guard let code = Int(value), let status = InjectedStatus(rawValue: code), provider.injectableStatuses.contains(status) else {
            return MockError.response(
                .badRequest, error: "invalid_forced_status",
                message: "X-Usagemock-Status must be one of \(statusList(provider)) for \(provider.name) (got \"\(value)\")"
            )
            .explained("invalid X-Usagemock-Status")
        }
        return injected(provider, status, retryAfter: nil).explained("forced by X-Usagemock-Status: \(code)")
    }

    /// `Retry-After` goes with every 429 (1 s unless the fault says) and with a 503
    /// whose fault gives one.
    private func injected(_ provider: any ServedProvider, _ status: InjectedStatus, retryAfter: Int?) -> ServerResponse {
        var response = provider.injectedError(status)
        if let seconds = retryAfter ?? (status == .tooManyRequests ? 1 : nil) {
            response.head.headerFields[.retryAfter] = String(seconds)
        }
        return response
    }
}
