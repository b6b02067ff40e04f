import HTTPServerCore
import HTTPTypes

/// `/__admin/scenario`, `/__admin/reset`, `/__admin/clock` and `/__admin/usage/{provider}`:
/// the scenario served, changed at runtime. Every change is validated whole; a refused
/// one is a 400 in the mock's shape with the loader's message, and the scenario served
/// stays as it was.
enum ScenarioAdminRoutes {
    static func group(_ state: ScenarioState) -> RouteGroup {
        RouteGroup(
            routes: [
                Route(.get, "/__admin/scenario") { _ in .json(.ok, summary(of: state.served.scenario)) },
                Route(.get, "/__admin/scenario/providers") { _ in .json(.ok, providers(of: state.served.scenario)) },
                Route(.put, "/__admin/scenario") { request in
                    answer(refusal: "invalid_scenario") { () throws(ScenarioError) in
                        try state.replace(json: request.body, file: "request body")
                    }
                },
                Route(.post, "/__admin/reset") { _ in .json(.ok, summary(of: state.reset())) },
                Route(.post, "/__admin/clock") { request in
                    answer(refusal: "invalid_clock") { () throws(ScenarioError) in
                        let move = try ScenarioLoader.decode(ClockMove.self, from: request.body)
                        return try state.change { current, _ throws(ScenarioError) in
                            try current.movingClock(to: try move.clockSeconds(from: current.clockSeconds))
                        }
                    }
                },
                Route(.post, "/__admin/usage/{provider}") { request in
                    let provider = request.pathParameters["provider", default: ""]
                    guard providerSections.contains(where: { $0.providerKey == provider }) else {
                        let known = providerSections.map { $0.providerKey }.joined(separator: ", ")
                        return MockError.response(
                            .notFound, error: "not_found", message: "no provider \"\(provider)\"; expected one of: \(known)")
                    }
                    return answer(refusal: "invalid_usage") { () throws(ScenarioError) in
                        try state.change { current, _ throws(ScenarioError) in
                            try current.addingUsage(request.body, to: provider) ?? current
                        }
                    }
                },
            ],
            methodNotAllowed: AdminRoutes.methodNotAllowed
        )
    }

    /// The summary of the scenario now served, or a 400 with why the change was refused.
    private static func answer(refusal: String, _ change: () throws(ScenarioError) -> LoadedScenario) -> ServerResponse {
        do {
            return .json(.ok, summary(of: try change()))
        } catch {
            return MockError.response(.badRequest, error: refusal, message: error.description)
        }
    }

    /// `{"name":…,"clock":…,"generator_clock":…,"providers":{"poe":{"accounts":1,…},…}}`
    static func summary(of scenario: LoadedScenario) -> [UInt8] {
        JSONWriter.document {
            $0.object {
                $0.field("name", scenario.name)
                $0.field("clock", UTCTime.timestamp(seconds: scenario.clockSeconds))
                $0.field("generator_clock", UTCTime.timestamp(seconds: scenario.generatorClockSeconds))
                $0.key("providers")
                $0.object {
                    for provider in scenario.providers {
                        $0.key(escaping: provider.name)
                        $0.object {
                            for count in provider.counts {
                                $0.key(escaping: count.kind.replacingSpaces(with: "_"))
                                $0.int(count.count)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `{"providers":{"poe":{"routes":["GET /usage/current_balance",…],"accounts":[{"keys":["sk_t*******"],
    /// "entries_in_window":250}]},…}}`: each provider's routes, and each account's keys,
    /// masked as the journal masks them, and rows (Klaim: its `user_ids` too, which the
    /// dashboard's ready requests need).
    static func providers(of scenario: LoadedScenario) -> [UInt8] {
        JSONWriter.document {
            $0.object {
                $0.key("providers")
                $0.object {
                    for provider in scenario.providers {
                        $0.key(escaping: provider.name)
                        $0.object {
                            $0.key("routes")
                            $0.array { json in for route in provider.routes.routes { json.string(route.summary) } }
                            $0.key("accounts")
                            $0.array { json in
                                for account in provider.accountSummaries { json.object { write(account, to: &$0) } }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func write(_ account: AccountSummary, to json: inout JSONWriter) {
        json.key("keys")
        json.array { json in for key in account.keys { json.string(maskedKey(key)) } }
        for count in account.counts {
            json.key(escaping: count.kind.replacingSpaces(with: "_"))
            json.int(count.count)
        }
        if !account.userIDs.isEmpty {
            json.key("user_ids")
            json.array { json in for userID in account.userIDs { json.string(userID) } }
        }
    }
}

/// The body of `POST /__admin/clock`: `{"now":"2026-12-01T00:00:00Z"}` or
/// `{"advance_seconds":86400}` (negative moves back), exactly one of them.
private struct ClockMove: Decodable {
    let now: String?
    let advanceSeconds: Int?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case now
        case advanceSeconds = "advance_seconds"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        now = try container.decodeIfPresent(String.self, forKey: .now)
        advanceSeconds = try container.decodeIfPresent(Int.self, forKey: .advanceSeconds)
    }

    func clockSeconds(from current: Int) throws(ScenarioError) -> Int {
        switch (now, advanceSeconds) {
        case (let now?, nil):
            guard let seconds = UTCTime.parseTimestamp(now) else {
                throw JSONPath.root["now"].error("expected a UTC timestamp from 1970 on, like 2026-11-21T12:00:00Z")
            }
            return seconds
        case (nil, let advance?):
            let (seconds, overflow) = current.addingReportingOverflow(advance)
            guard !overflow, ScenarioBounds.seconds.contains(seconds) else {
                throw JSONPath.root["advance_seconds"].error("moves the clock outside the years 1970 to 9999")
            }
            return seconds
        default:
            throw JSONPath.root.error("give exactly one of \"now\" (a UTC timestamp) and \"advance_seconds\" (an integer)")
        }
    }
}

extension String {
    fileprivate func replacingSpaces(with replacement: Character) -> String { String(map { $0 == " " ? replacement : $0 }) }
}
