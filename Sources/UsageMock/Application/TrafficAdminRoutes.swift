import HTTPServerCore
import HTTPTypes

/// `/__admin/requests` (the journal) and `/__admin/faults`.
enum TrafficAdminRoutes {
    /// `state`: the scenario served, whose faults these routes list and change.
    static func group(_ traffic: TrafficControl, state: ScenarioState) -> RouteGroup {
        RouteGroup(
            routes: [
                Route(.get, "/__admin/requests") { request in listRequests(traffic.journal, request.target.query) },
                Route(.delete, "/__admin/requests") { _ in cleared(traffic.journal.clear()) },
                Route(.get, "/__admin/faults") { _ in listFaults(state.served.faults) },
                Route(.post, "/__admin/faults") { request in
                    state.withFaults { addFault(request.body, to: $0, providers: state.served.scenario.providers) }
                },
                Route(.delete, "/__admin/faults") { _ in cleared(state.withFaults { $0.clear() }) },
            ],
            methodNotAllowed: AdminRoutes.methodNotAllowed
        )
    }

    static let filters = ["provider", "path", "status", "key", "query", "after", "limit"]
    /// What `provider` may be: a provider's name, or `none` for no route.
    static let providerFilterChoices = providerSections.map { $0.providerKey } + ["none"]

    /// Newest first; `provider`, `path` (exact, as sent), `status`, `key` (the bearer
    /// token sent), `query` (text within the query string) and `after` (ids above it:
    /// what a poller has not seen yet) filter, `limit` caps the list; `matched` counts
    /// every entry the filters select. `provider=none` selects requests no route matched.
    private static func listRequests(_ journal: RequestJournal, _ query: QueryParameters) -> ServerResponse {
        let provider: String?
        let path: String?
        let status: Int?
        let key: String?
        let queryText: String?
        let after: Int
        let limit: Int
        do throws(ParameterError) {
            for pair in query.pairs where !filters.contains(pair.name) {
                throw ParameterError(name: pair.name, problem: .invalid("is not a filter; use \(filters.joined(separator: ", "))"))
            }
            provider = try query.single("provider")
            if let provider, !providerFilterChoices.contains(provider) {
                throw ParameterError(name: "provider", problem: .notOneOf(providerFilterChoices))
            }
            key = try query.single("key")
            queryText = try query.single("query")
            path = try query.single("path")
            let statusCode = try query.integer("status", in: 100...599, default: 0)
            status = statusCode == 0 ? nil : statusCode
            after = try query.integer("after", in: 0...Int.max, default: 0)
            limit = try query.integer("limit", in: 1...Int.max, default: Int.max)
        } catch {
            return MockError.response(.badRequest, error: "bad_request", message: error.message)
        }
        let selected = journal.newestFirst(after: after).filter { entry in
            (provider == nil || (entry.provider ?? "none") == provider)
                && (path == nil || entry.path == path![...])
                && (status == nil || entry.status == status)
                && (key == nil || bearerToken(in: entry.headers) == key)
                && (queryText == nil || entry.query.contains(queryText!))
        }
        return .json(
            .ok,
            JSONWriter.document {
                $0.object {
                    $0.key("requests")
                    $0.array { json in
                        for entry in selected.prefix(limit) { json.object { entry.write(to: &$0) } }
                    }
                    $0.field("matched", selected.count)
                    $0.field("capacity", journal.capacity)
                }
            })
    }

    private static func listFaults(_ faults: FaultEngine) -> ServerResponse {
        .json(
            .ok,
            JSONWriter.document {
                $0.object {
                    $0.key("faults")
                    $0.array { json in
                        for fault in faults.faults { json.object { write(fault, to: &$0) } }
                    }
                }
            })
    }

    /// One fault object, checked as strictly as a scenario's; 201 with its id.
    private static func addFault(_ body: [UInt8], to faults: FaultEngine, providers: [any ServedProvider]) -> ServerResponse {
        let rule: FaultRule
        do throws(ScenarioError) {
            rule = try ScenarioLoader.decode(FaultDefinition.self, from: body).validated(against: providers, at: .root)
        } catch {
            return MockError.response(.badRequest, error: "invalid_fault", message: "\(error)")
        }
        let armed = faults.add(rule)
        return .json(.created, JSONWriter.document { $0.object { write(armed, to: &$0) } })
    }

    private static func write(_ fault: FaultEngine.ArmedFault, to json: inout JSONWriter) {
        json.field("id", fault.id)
        fault.rule.write(to: &json)
        json.field("matched", fault.matched)
        json.field("fired", fault.fired)
    }

    private static func cleared(_ count: Int) -> ServerResponse {
        .json(.ok, JSONWriter.document { $0.object { $0.field("cleared", count) } })
    }
}
