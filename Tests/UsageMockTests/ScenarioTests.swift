import Foundation
import Testing

@testable import UsageMock

@Suite struct ScenarioTests {
    /// The resource is a link to the file; a copy in its place would drift.
    @Test func embeddedDefaultIsScenariosDefaultJSON() throws {
        let file = try Data(contentsOf: repositoryRoot.appendingPathComponent("Scenarios/default.json"))
        #expect(DefaultScenario.json == [UInt8](file))
    }

    @Test func defaultScenarioFacts() {
        let scenario = ScenarioLoader.loadDefault()
        #expect(scenario.name == "default")
        #expect(scenario.clockSeconds == UTCTime.parseTimestamp("2026-11-21T12:00:00Z"))
    }

    @Test(arguments: ["empty.json", "multi-account.json"])
    func shippedScenariosLoad(_ name: String) throws {
        let scenario = try ScenarioLoader.load(contentsOf: repositoryRoot.appendingPathComponent("Scenarios/\(name)").path)
        #expect(!scenario.providers.isEmpty)
    }

    @Test func emptyScenarioServesEmptyPages() throws {
        let application = application(
            try ScenarioLoader.load(contentsOf: repositoryRoot.appendingPathComponent("Scenarios/empty.json").path))
        #expect(
            send(.get, "/usage/points_history", key: "sk_empty_poe", to: application).text == #"{"has_more":false,"length":0,"data":[]}"#)
        #expect(send(.get, "/v1/billing/usage-history", key: "hb_empty_key", to: application).object[path: "meta", "total"] as? Int == 0)
        #expect(send(.post, "/users/user_empty/credits/usage", key: "klaim_empty_key", to: application).status == 200)
        #expect(send(.get, "/api/v1/usage", key: "sk_ops_empty", to: application).object[path: "pagination", "total_pages"] as? Int == 0)
    }

    @Test func multiAccountKeysSeeTheirOwnData() throws {
        let application = application(
            try ScenarioLoader.load(contentsOf: repositoryRoot.appendingPathComponent("Scenarios/multi-account.json").path))
        let first = send(.get, "/usage/current_balance", key: "sk_poe_alpha", to: application).text
        let second = send(.get, "/usage/current_balance", key: "sk_poe_beta", to: application).text
        #expect(first != second)
        let alpha =
            send(.get, "/api/v1/usage?limit=200", key: "sk_syb_alpha", to: application).object["usage_events"] as? [[String: Any]] ?? []
        let beta =
            send(.get, "/api/v1/usage?limit=200", key: "sk_syb_beta", to: application).object["usage_events"] as? [[String: Any]] ?? []
        #expect(!alpha.isEmpty && !beta.isEmpty)
        #expect(Set(alpha.compactMap { $0["id"] as? Int }).isDisjoint(with: beta.compactMap { $0["id"] as? Int }))
        #expect(send(.post, "/users/alpha_user/credits/usage", key: "klaim_beta", to: application).status == 404)
        #expect(send(.post, "/users/alpha_user/credits/usage", key: "klaim_alpha", to: application).status == 200)
    }

    static let base = #"{"name":"t","clock":"2026-11-21T12:00:00Z","providers":{%@}}"#

    static func scenario(_ providers: String) -> String {
        base.replacingOccurrences(of: "%@", with: providers)
    }

    /// Each broken scenario and where and why it must be refused.
    static let broken: [(json: String, location: String, reason: String)] = [
        ("{\n  \"name\": \"t\",\n  \"clock\": ,\n}", "line 3, column 12", "invalid JSON"),
        (
            scenario(#""poe":{"accounts":[{"keys":["k"],"balance":"many"}]}"#), "$.providers.poe.accounts[0].balance",
            "expected an integer but found a string"
        ),
        (
            scenario(#""poe":{"accounts":[{"keys":["k"],"balance":1,"colour":"red"}]}"#), "$.providers.poe.accounts[0].colour",
            "unknown field \"colour\""
        ),
        (scenario(#""poe":{"accounts":[{"keys":["k"]}]}"#), "$.providers.poe.accounts[0].balance", "required field is missing"),
        (scenario(#""stripe":{}"#), "$.providers.stripe", "unknown provider"),
        (scenario(#""klaim":{"accounts":[],"acounts":[]}"#), "$.providers.klaim.acounts", "unknown field \"acounts\""),
        (
            scenario(
                #""poe":{"accounts":[{"keys":["k"],"balance":1,"entries":[{"creation_time":1,"bot_name":"b","query_id":"q","usage_type":"API","cost_points":1},{"creation_time":2,"bot_name":"b","query_id":"q","usage_type":"API","cost_points":1}]}]}"#
            ),
            "$.providers.poe.accounts[0].entries[1].query_id", "duplicate query_id \"q\""
        ),
        (
            scenario(
                #""poe":{"accounts":[{"keys":["k"],"balance":1,"entries":[{"creation_time":1,"bot_name":"b","query_id":"q","usage_type":"Email","cost_points":1}]}]}"#
            ),
            "$.providers.poe.accounts[0].entries[0].usage_type", "must be one of"
        ),
        (
            scenario(
                #""hookbridge":{"accounts":[{"keys":["k"],"months":[{"period_start":"2024-02-01","period_end":"2024-02-28","message_count":1,"plan_limit":null}]}]}"#
            ),
            "$.providers.hookbridge.accounts[0].months[0].period_end", "must be the last day of 2024-02-01's month: 2024-02-29"
        ),
        (
            scenario(#""hookbridge":{"accounts":[{"keys":["k"],"months":[{"period_start":"2024-02-03","message_count":1}]}]}"#),
            "$.providers.hookbridge.accounts[0].months[0].period_start", "must be the first day of a month"
        ),
        (
            scenario(
                #""hookbridge":{"accounts":[{"keys":["k"],"months":[{"period_start":"2024-02-01","message_count":10,"plan_limit":4,"overage_count":5}]}]}"#
            ),
            "$.providers.hookbridge.accounts[0].months[0].overage_count", "must be max(0, message_count - plan_limit) = 6"
        ),
        (
            scenario(
                #""klaim":{"accounts":[{"keys":["k"],"app_id":"a","users":[{"user_id":"u","records":[{"created_at":1000,"credit_change":5,"credit_balance":5,"source_type":"api","description":"d"},{"created_at":2000,"credit_change":-1,"credit_balance":5,"source_type":"api","description":"d"}]}]}]}"#
            ),
            "$.providers.klaim.accounts[0].users[0].records[1].credit_balance", "balance chain does not add up: expected 4"
        ),
        (
            scenario(#""poe":{"accounts":[{"keys":["shared_key"],"balance":1}]},"sybilion":{"accounts":[{"keys":["shared_key"]}]}"#),
            "$.providers.sybilion.accounts[0].keys[0]", "key \"shar******\" is used twice (first at $.providers.poe.accounts[0].keys[0])"
        ),
        (
            scenario(
                #""sybilion":{"accounts":[{"keys":["k"],"events":[{"id":1,"endpoint":null,"units":1,"credits_charged":1,"eur_cents_charged":1,"created_at":"2026-01-01T00:00:00Z","async_job_id":"ABC"}]}]}"#
            ),
            "$.providers.sybilion.accounts[0].events[0].async_job_id", "must be a lowercase UUID or null"
        ),
        // One strict parser (issue 16): no trailing comma, no repeated field, located by line and column.
        (
            "{\"name\":\"t\",\"clock\":\"2026-11-21T12:00:00Z\",\"providers\":{},}", "line 1, column 59",
            "invalid JSON: expected a field name"
        ),
        (
            "{\"name\":\"t\",\n\"name\":\"u\",\"clock\":\"2026-11-21T12:00:00Z\",\"providers\":{}}", "line 2, column 1",
            "invalid JSON: duplicate field \"name\""
        ),
        (scenario(#""poe":{"accounts":[{"keys":["k","j",],"balance":1}]}"#), "line 1, column 93", "invalid JSON: unexpected character"),
        // A number that is valid JSON but not an integer is named by its path (issue 14, item 6).
        (
            scenario(#""poe":{"accounts":[{"keys":["k"],"balance":1.5}]}"#), "$.providers.poe.accounts[0].balance",
            "expected an integer but found 1.5"
        ),
        (
            scenario(
                #""klaim":{"accounts":[{"keys":["k"],"app_id":"a","users":[{"user_id":"u","generator":{"seed":1,"count":2,"opening_balance":1e20,"age_seconds":{"min":0,"max":1},"credit_change":{"min":-1,"max":1},"source_types":["s"],"descriptions":["d"]}}]}]}"#
            ),
            "$.providers.klaim.accounts[0].users[0].generator.opening_balance", "expected an integer but found 1e20"
        ),
        (
            scenario(#""poe":{"accounts":[{"keys":["k"],"balance":99999999999999999999}]}"#), "$.providers.poe.accounts[0].balance",
            "99999999999999999999 is out of range"
        ),
        (#"{"name":"t","clock":"yesterday","providers":{}}"#, "$.clock", "expected a UTC timestamp"),
        (#"{"name":"t","clock":"1969-12-31T23:59:59Z","providers":{}}"#, "$.clock", "from 1970 on"),
        // Bounds that keep generating and serving rows from overflowing (each case sits just past its limit).
        (
            scenario(#""poe":{"accounts":[{"keys":["k"],"balance":9007199254740992}]}"#),
            "$.providers.poe.accounts[0].balance", "out of range: scenario integers stay within ±9007199254740991"
        ),
        (
            scenario(
                #""poe":{"accounts":[{"keys":["k"],"balance":0,"generators":[{"seed":1,"count":1,"age_seconds":{"min":0,"max":1795262400},"bot_names":["b"],"cost_points":{"min":0,"max":0}}]}]}"#
            ),
            "$.providers.poe.accounts[0].generators[0].age_seconds.max", "must be below 1795262400"
        ),
        (
            scenario(
                #""klaim":{"accounts":[{"keys":["k"],"app_id":"a","users":[{"user_id":"u","generator":{"seed":1,"count":2,"opening_balance":9007199254740990,"age_seconds":{"min":0,"max":0},"credit_change":{"min":-1,"max":1},"source_types":["s"],"descriptions":["d"]}}]}]}"#
            ),
            "$.providers.klaim.accounts[0].users[0].generator", "a running balance could leave ±9007199254740991"
        ),
        (
            scenario(
                #""klaim":{"accounts":[{"keys":["k"],"app_id":"a","users":[{"user_id":"u","records":[{"created_at":-1,"credit_change":0,"credit_balance":0,"source_type":"s","description":"d"}]}]}]}"#
            ),
            "$.providers.klaim.accounts[0].users[0].records[0].created_at", "must be Unix milliseconds from 1970 through 9999"
        ),
        (
            scenario(
                #""klaim":{"accounts":[{"keys":["k"],"app_id":"a","users":[{"user_id":"u","records":[{"created_at":253402300800000,"credit_change":0,"credit_balance":0,"source_type":"s","description":"d"}]}]}]}"#
            ),
            "$.providers.klaim.accounts[0].users[0].records[0].created_at", "must be Unix milliseconds from 1970 through 9999"
        ),
        (
            scenario(
                #""hookbridge":{"accounts":[{"keys":["k"],"generators":[{"seed":1,"count":3,"end_month":"1970-02","message_count":{"min":0,"max":1},"plan_limits":[null]}]}]}"#
            ),
            "$.providers.hookbridge.accounts[0].generators[0].count", "reaches before 1970: at most 2 months end at 1970-02"
        ),
        (
            scenario(#""hookbridge":{"accounts":[{"keys":["k"],"months":[{"period_start":"1969-12-01","message_count":1}]}]}"#),
            "$.providers.hookbridge.accounts[0].months[0].period_start", "must be the first day of a month"
        ),
        (
            scenario(
                #""sybilion":{"accounts":[{"keys":["k"],"events":[{"id":1,"endpoint":null,"units":1,"credits_charged":1,"eur_cents_charged":1,"created_at":"0001-01-01T00:00:00Z","async_job_id":null}]}]}"#
            ),
            "$.providers.sybilion.accounts[0].events[0].created_at", "from 1970 on"
        ),
        (
            scenario(
                #""sybilion":{"accounts":[{"keys":["k"],"generators":[{"seed":1,"count":1,"age_seconds":{"min":0,"max":0},"endpoints":[null],"units":{"min":0,"max":94906266},"credits_per_unit":{"min":0,"max":94906266},"eur_cents_per_credit":{"min":0,"max":0}}]}]}"#
            ),
            "$.providers.sybilion.accounts[0].generators[0]", "units.max × credits_per_unit.max must stay within 9007199254740991"
        ),
        (
            scenario(
                #""sybilion":{"accounts":[{"keys":["k"],"generators":[{"seed":1,"count":1,"age_seconds":{"min":0,"max":0},"endpoints":[null],"units":{"min":0,"max":3},"credits_per_unit":{"min":0,"max":1},"eur_cents_per_credit":{"min":0,"max":3002399751580331}}]}]}"#
            ),
            "$.providers.sybilion.accounts[0].generators[0]", "× eur_cents_per_credit.max must stay within"
        ),
        (
            scenario(
                #""sybilion":{"accounts":[{"keys":["k"],"generators":[{"seed":1,"count":2,"first_id":9007199254740991,"age_seconds":{"min":0,"max":0},"endpoints":[null],"units":{"min":0,"max":0},"credits_per_unit":{"min":0,"max":0},"eur_cents_per_credit":{"min":0,"max":0}}]}]}"#
            ),
            "$.providers.sybilion.accounts[0].generators[0].first_id", "first_id + count - 1 must stay within"
        ),
        // Generated ids meeting ids already taken: the lowest one is named, with where it was first.
        (
            scenario(
                #""sybilion":{"accounts":[{"keys":["k"],"events":[\#(sybilionEvent(id: 7)),\#(sybilionEvent(id: 5))],"generators":[\#(sybilionGenerator(count: 10, firstID: 3))]}]}"#
            ),
            "$.providers.sybilion.accounts[0].generators[0]", "generates id 5, already used at $.providers.sybilion.accounts[0].events[1]"
        ),
        (
            scenario(
                #""sybilion":{"accounts":[{"keys":["k"],"generators":[\#(sybilionGenerator(count: 10, firstID: 1)),\#(sybilionGenerator(count: 5, firstID: 20)),\#(sybilionGenerator(count: 30, firstID: 8))]}]}"#
            ),
            "$.providers.sybilion.accounts[0].generators[2]",
            "generates id 8, already used at $.providers.sybilion.accounts[0].generators[0]"
        ),
        (
            scenario(
                #""sybilion":{"accounts":[{"keys":["k"],"events":[\#(sybilionEvent(id: 40))],"generators":[\#(sybilionGenerator(count: 5, firstID: 20)),\#(sybilionGenerator(count: 30, firstID: 11))]}]}"#
            ),
            "$.providers.sybilion.accounts[0].generators[1]",
            "generates id 20, already used at $.providers.sybilion.accounts[0].generators[0]"
        ),
    ]

    static func sybilionEvent(id: Int) -> String {
        #"{"id":\#(id),"endpoint":null,"units":1,"credits_charged":1,"eur_cents_charged":1,"created_at":"2026-01-01T00:00:00Z","async_job_id":null}"#
    }

    static func sybilionGenerator(count: Int, firstID: Int) -> String {
        #"{"seed":1,"count":\#(count),"first_id":\#(firstID),"age_seconds":{"min":0,"max":10},"endpoints":[null],"units":{"min":1,"max":2},"credits_per_unit":{"min":1,"max":1},"eur_cents_per_credit":{"min":1,"max":1}}"#
    }

    /// Generators whose ids do not meet load every event.
    @Test func generatorsWithSeparateIDsLoad() throws {
        let json = Self.scenario(
            #""sybilion":{"accounts":[{"keys":["k"],"events":[\#(Self.sybilionEvent(id: 15))],"generators":[\#(Self.sybilionGenerator(count: 5, firstID: 10)),\#(Self.sybilionGenerator(count: 3, firstID: 16)),\#(Self.sybilionGenerator(count: 0, firstID: 12))]}]}"#
        )
        let events =
            send(.get, "/api/v1/usage?sort=id&order=asc&limit=100", key: "k", to: application(try loadScenario(json))).object[
                "usage_events"] as? [[String: Any]] ?? []
        #expect(events.compactMap { $0["id"] as? Int } == Array(10...18))
    }

    /// Scenarios the fuzzer once crashed the loader with (`Fuzz/Crashers/FuzzScenario`):
    /// each must now be refused with a reason, not trap.
    @Test(
        arguments: try! FileManager.default.contentsOfDirectory(
            atPath: repositoryRoot.appendingPathComponent("Fuzz/Crashers/FuzzScenario").path
        ).sorted())
    func fuzzerCrashersAreRefused(_ name: String) throws {
        let json = try Data(contentsOf: repositoryRoot.appendingPathComponent("Fuzz/Crashers/FuzzScenario/\(name)"))
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(json: json, file: name) }
    }

    /// The largest values the bounds allow still load and serve.
    @Test func valuesAtTheBoundsLoad() throws {
        let json = Self.scenario(
            #""klaim":{"accounts":[{"keys":["k"],"app_id":"a","users":[{"user_id":"u","generator":{"seed":1,"count":2,"opening_balance":9007199254740989,"age_seconds":{"min":0,"max":1795262399},"credit_change":{"min":-1,"max":1},"source_types":["s"],"descriptions":["d"]}}]}]},"sybilion":{"accounts":[{"keys":["s"],"generators":[{"seed":1,"count":2,"first_id":9007199254740990,"age_seconds":{"min":0,"max":1795262399},"endpoints":[null],"units":{"min":0,"max":94906265},"credits_per_unit":{"min":0,"max":94906265},"eur_cents_per_credit":{"min":0,"max":1}}]}]}"#
        )
        let application = application(try loadScenario(json))
        #expect(send(.post, "/users/u/credits/usage", key: "k", to: application).status == 200)
        let events =
            send(.get, "/api/v1/usage?sort=created_at&order=asc", key: "s", to: application).object["usage_events"] as? [[String: Any]]
            ?? []
        #expect(events.compactMap { $0["id"] as? Int }.sorted() == [9_007_199_254_740_990, 9_007_199_254_740_991])
    }

    @Test(arguments: broken.indices)
    func brokenScenariosAreRefusedWithPathAndReason(_ index: Int) {
        let expected = Self.broken[index]
        do {
            _ = try loadScenario(expected.json, file: "broken.json")
            Issue.record("accepted: \(expected.json)")
        } catch {
            #expect(error.file == "broken.json")
            #expect(error.location == expected.location)
            #expect(error.reason.contains(expected.reason), "\(error.reason)")
            #expect(error.description.hasPrefix("broken.json: \(expected.location): "))
        }
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: ScenarioError(file: "/nonexistent.json", location: "file", reason: "cannot read it (no such file)")) {
            try ScenarioLoader.load(contentsOf: "/nonexistent.json")
        }
    }

    @Test func generatorsAreDeterministic() throws {
        let json = Self.scenario(
            #""sybilion":{"accounts":[{"keys":["k"],"generators":[{"seed":9,"count":500,"age_seconds":{"min":0,"max":1000000},"endpoints":["a",null],"units":{"min":1,"max":5},"credits_per_unit":{"min":1,"max":2},"eur_cents_per_credit":{"min":1,"max":2}}]}]}"#
        )
        let first = application(try loadScenario(json))
        let second = application(try loadScenario(json))
        #expect(
            send(.get, "/api/v1/usage?limit=200&sort=units", key: "k", to: first).body
                == send(.get, "/api/v1/usage?limit=200&sort=units", key: "k", to: second).body)
    }
}
