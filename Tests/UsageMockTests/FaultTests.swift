import Foundation
import HTTPTypes
import Testing

@testable import UsageMock

/// The default scenario with a `faults` section.
func defaultScenario(withFaults faults: String) throws(ScenarioError) -> LoadedScenario {
    try loadScenario("{\"faults\": \(faults)," + String(decoding: DefaultScenario.json, as: UTF8.self).drop { $0 != "{" }.dropFirst())
}

/// Statuses of `count` balance calls, in order.
func balanceStatuses(_ count: Int, key: String = "sk_test_poe", to application: MockApplication) -> [Int] {
    (0..<count).map { _ in send(.get, "/usage/current_balance", key: key, to: application).status }
}

@Suite struct FaultTests {
    @Test func triggersCountMatchingRequests() throws {
        let scenario = try defaultScenario(
            withFaults: """
                [{"provider": "poe", "route": "/usage/current_balance", "status": 429, "nth": 3}]
                """)
        #expect(balanceStatuses(5, to: application(scenario)) == [200, 200, 429, 200, 200])
        let every = try defaultScenario(withFaults: #"[{"provider": "poe", "route": "/usage/current_balance", "status": 500, "every": 2}]"#)
        #expect(balanceStatuses(5, to: application(every)) == [200, 500, 200, 500, 200])
        let times = try defaultScenario(withFaults: #"[{"provider": "poe", "route": "/usage/current_balance", "status": 503, "times": 2}]"#)
        #expect(balanceStatuses(4, to: application(times)) == [503, 503, 200, 200])
        let always = try defaultScenario(withFaults: #"[{"provider": "poe", "route": "/usage/current_balance", "status": 402}]"#)
        #expect(balanceStatuses(3, to: application(always)) == [402, 402, 402])
    }

    /// A new scenario brings its own faults, counted from zero; the clock and usage
    /// changes keep the faults and their counts.
    @Test func faultsFollowTheScenarioServed() throws {
        let app = application(
            try defaultScenario(withFaults: #"[{"provider": "poe", "route": "/usage/current_balance", "status": 429, "nth": 2}]"#))
        #expect(balanceStatuses(1, to: app) == [200])
        #expect(send(.post, "/__admin/clock", body: #"{"advance_seconds": 60}"#, to: app).status == 200)
        #expect(balanceStatuses(2, to: app) == [429, 200])
        #expect(
            send(.post, "/__admin/faults", body: #"{"provider": "poe", "route": "/usage/current_balance", "status": 500}"#, to: app).status
                == 201)
        #expect(send(.put, "/__admin/scenario", body: String(decoding: DefaultScenario.json, as: UTF8.self), to: app).status == 200)
        #expect(balanceStatuses(3, to: app) == [200, 200, 200])
        #expect(send(.post, "/__admin/reset", to: app).status == 200)
        #expect(balanceStatuses(3, to: app) == [200, 429, 200])
    }

    @Test func sameScenarioSameSequenceSameFaults() throws {
        let faults = """
            [{"provider": "poe", "route": "/usage/current_balance", "status": 429, "every": 3},
             {"provider": "poe", "route": "/usage/current_balance", "status": 500, "nth": 4}]
            """
        let first = balanceStatuses(9, to: application(try defaultScenario(withFaults: faults)))
        let second = balanceStatuses(9, to: application(try defaultScenario(withFaults: faults)))
        #expect(first == second)
        // Both count every request; the first to fire wins.
        #expect(first == [200, 200, 429, 500, 200, 429, 200, 200, 429])
    }

    @Test func matchesProviderRouteAndKey() throws {
        let application = application(
            try loadScenario(
                String(decoding: try Data(contentsOf: repositoryRoot.appendingPathComponent("Scenarios/multi-account.json")), as: UTF8.self)
            ))
        let added = send(
            .post, "/__admin/faults", body: #"{"provider": "poe", "route": "/usage/current_balance", "key": "sk_poe_beta", "status": 429}"#,
            to: application)
        #expect(added.status == 201)
        #expect(balanceStatuses(2, key: "sk_poe_alpha", to: application) == [200, 200])
        #expect(balanceStatuses(2, key: "sk_poe_beta", to: application) == [429, 429])
        #expect(send(.get, "/usage/points_history", key: "sk_poe_beta", to: application).status == 200)
    }

    @Test func injectedErrorsUseEachProvidersShape() throws {
        let faults = """
            [{"provider": "poe", "route": "/usage/points_history", "status": 402},
             {"provider": "hookbridge", "route": "/v1/billing/usage-history", "status": 429, "retry_after": 7},
             {"provider": "klaim", "route": "/users/{user_id}/credits/usage", "status": 500},
             {"provider": "sybilion", "route": "/api/v1/usage", "status": 503, "retry_after": 30}]
            """
        let application = application(try defaultScenario(withFaults: faults))
        let poe = send(.get, "/usage/points_history", key: "sk_test_poe", to: application)
        #expect(poe.status == 402)
        #expect(
            poe.text
                == #"{"error":{"message":"Insufficient point balance to complete this request","type":"insufficient_credits","code":"insufficient_balance"}}"#
        )
        #expect(poe.header("Retry-After") == nil)
        let hookBridge = send(.get, "/v1/billing/usage-history", key: "hb_test_key", to: application)
        #expect(hookBridge.status == 429)
        #expect(hookBridge.header("Retry-After") == "7")
        #expect(hookBridge.object[path: "error", "code"] as? String == "RATE_LIMIT_EXCEEDED")
        #expect(hookBridge.object[path: "meta", "request_id"] as? String == hookBridge.header("X-Request-Id"))
        let klaim = send(.post, "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", key: "klaim_test_key", to: application)
        #expect(klaim.status == 500)
        #expect(klaim.text == #"{"message":"Internal Server Error"}"#)
        let sybilion = send(.get, "/api/v1/usage", key: "sk_ops_test", to: application)
        #expect(sybilion.status == 503)
        #expect(sybilion.header("Retry-After") == "30")
        #expect(sybilion.object["error"] as? String == "service unavailable")
        #expect(sybilion.object["trace_id"] as? String == sybilion.header("X-Trace-Id"))
    }

    @Test func delayAndDropReachTheServer() throws {
        let faults = """
            [{"provider": "poe", "route": "/usage/current_balance", "delay_ms": 250, "nth": 1},
             {"provider": "poe", "route": "/usage/current_balance", "drop": true, "delay_ms": 50, "nth": 2}]
            """
        let application = application(try defaultScenario(withFaults: faults))
        let delayed = send(.get, "/usage/current_balance", key: "sk_test_poe", to: application)
        #expect(delayed.status == 200 && delayed.delay == .milliseconds(250) && !delayed.dropsConnection)
        let dropped = send(.get, "/usage/current_balance", key: "sk_test_poe", to: application)
        #expect(dropped.dropsConnection && dropped.delay == .milliseconds(50))
        let plain = send(.get, "/usage/current_balance", key: "sk_test_poe", to: application)
        #expect(plain.delay == .zero && !plain.dropsConnection)
    }

    @Test func faultsComeBeforeTheKeyCheck() throws {
        let application = application(
            try defaultScenario(withFaults: #"[{"provider": "sybilion", "route": "/api/v1/usage", "status": 429}]"#))
        #expect(send(.get, "/api/v1/usage", to: application).status == 429)
        #expect(send(.post, "/api/v1/usage", to: application).status == 405)
    }

    @Test(arguments: [
        (
            #"[{"provider": "stripe", "route": "/x", "status": 429}]"#, "$.faults[0].provider",
            "unknown provider \"stripe\"; expected one of: poe, hookbridge, klaim, sybilion"
        ),
        (
            #"[{"provider": "poe", "route": "/usage/balance", "status": 429}]"#, "$.faults[0].route",
            "poe has no route \"/usage/balance\"; expected one of: /usage/current_balance, /usage/points_history"
        ),
        (
            #"[{"provider": "klaim", "route": "/users/{user_id}/credits/usage", "status": 402}]"#, "$.faults[0].status",
            "klaim cannot be made to answer 402; expected one of: 429, 500, 503"
        ),
        (#"[{"provider": "poe", "route": "/usage/current_balance"}]"#, "$.faults[0]", "a fault needs an action: status, drop or delay_ms"),
        (
            #"[{"provider": "poe", "route": "/usage/current_balance", "status": 429, "drop": true}]"#, "$.faults[0].drop",
            "a dropped connection has no status; give drop or status, not both"
        ),
        (
            #"[{"provider": "poe", "route": "/usage/current_balance", "status": 429, "nth": 1, "every": 2}]"#, "$.faults[0].every",
            "give at most one of nth, every, times"
        ),
        (
            #"[{"provider": "poe", "route": "/usage/current_balance", "status": 429, "times": 0}]"#, "$.faults[0].times",
            "must be at least 1"
        ),
        (
            #"[{"provider": "poe", "route": "/usage/current_balance", "status": 500, "retry_after": 3}]"#, "$.faults[0].retry_after",
            "only goes with status 429 or 503"
        ),
        (
            #"[{"provider": "poe", "route": "/usage/current_balance", "delay_ms": 60001}]"#, "$.faults[0].delay_ms",
            "must be between 1 and 60000"
        ),
        (
            #"[{"provider": "poe", "route": "/usage/current_balance", "status": 429, "colour": 1}]"#, "$.faults[0].colour",
            "unknown field \"colour\"; expected one of: provider, route, key, status, retry_after, delay_ms, drop, nth, every, times"
        ),
        (#"{"provider": "poe"}"#, "$.faults", "expected an array but found an object instead"),
    ])
    func invalidFaultsAreRefusedWithTheirPath(_ faults: String, _ location: String, _ reason: String) {
        #expect(throws: ScenarioError(file: "test.json", location: location, reason: reason)) {
            try defaultScenario(withFaults: faults)
        }
    }

    @Test func runtimeFaultsAreAddedListedAndCleared() throws {
        let application = application(ScenarioLoader.loadDefault())
        #expect(send(.get, "/__admin/faults", to: application).text == #"{"faults":[]}"#)
        let added = send(
            .post, "/__admin/faults",
            body: #"{"provider":"poe","route":"/usage/current_balance","key":"sk_test_poe","status":429,"retry_after":2,"every":2}"#,
            to: application)
        #expect(added.status == 201)
        #expect(
            added.text
                == #"{"id":1,"provider":"poe","route":"/usage/current_balance","key":"sk_t*******","status":429,"retry_after":2,"every":2,"matched":0,"fired":0}"#
        )
        #expect(balanceStatuses(4, to: application) == [200, 429, 200, 429])
        let listed = (send(.get, "/__admin/faults", to: application).object["faults"] as? [[String: Any]])?.first
        #expect(listed?["matched"] as? Int == 4 && listed?["fired"] as? Int == 2)
        #expect(send(.delete, "/__admin/faults", to: application).text == #"{"cleared":1}"#)
        #expect(balanceStatuses(2, to: application) == [200, 200])
    }

    @Test(arguments: [
        ("", "line 1, column 1: invalid JSON: unexpected end of input"),
        (
            #"{"provider":"poe","route":"/usage/current_balance","status":"429"}"#,
            "$.status: expected an integer but found a string instead"
        ),
        (
            #"{"provider":"poe","route":"/usage/current_balance","status":418}"#,
            "$.status: poe cannot be made to answer 418; expected one of: 402, 429, 500, 503"
        ),
    ])
    func invalidRuntimeFaultsAre400(_ body: String, _ message: String) {
        let application = application(ScenarioLoader.loadDefault())
        let response = send(.post, "/__admin/faults", body: body, to: application)
        #expect(response.status == 400)
        #expect(response.object["error"] as? String == "invalid_fault")
        #expect(response.object["message"] as? String == message)
        #expect(send(.get, "/__admin/faults", to: application).text == #"{"faults":[]}"#)
    }

    @Test func concurrentRequestsCountEachFaultExactly() async throws {
        let application = application(
            try defaultScenario(withFaults: #"[{"provider": "poe", "route": "/usage/current_balance", "status": 429, "every": 2}]"#))
        let statuses = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 { group.addTask { balanceStatuses(250, to: application) } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(statuses.filter { $0 == 429 }.count == 1000)
        #expect(statuses.filter { $0 == 200 }.count == 1000)
    }
}

@Suite struct ForcedStatusTests {
    @Test(arguments: [
        ("/usage/current_balance", HTTPRequest.Method.get, "402", 402), ("/usage/points_history", .get, "429", 429),
        ("/v1/billing/usage-history", .get, "500", 500), ("/users/u/credits/usage", .post, "503", 503), ("/api/v1/usage", .get, "429", 429),
    ])
    func forcesThatStatusForOneRequest(_ path: String, _ method: HTTPRequest.Method, _ value: String, _ status: Int) {
        let application = application(ScenarioLoader.loadDefault())
        let forced = send(method, path, headers: ["X-Usagemock-Status": value], to: application)
        #expect(forced.status == status)
        #expect((forced.header("Retry-After") != nil) == (status == 429))
        #expect(send(method, path, to: application).status == 401)
    }

    @Test func unsupportedValuesAre400NamingTheAcceptedOnes() {
        for value in ["418", "abc", "", "200"] {
            let response = send(.get, "/api/v1/usage", key: "sk_ops_test", headers: ["X-Usagemock-Status": value])
            #expect(response.status == 400)
            #expect(
                response.object["message"] as? String == "X-Usagemock-Status must be one of 429, 500, 503 for sybilion (got \"\(value)\")")
        }
        #expect(send(.get, "/api/v1/usage", key: "sk_ops_test", headers: ["X-Usagemock-Status": "402"]).status == 400)
    }

    @Test func onlyProviderRoutesHonourIt() {
        #expect(send(.get, "/__admin/health", headers: ["X-Usagemock-Status": "500"]).status == 200)
        #expect(send(.get, "/nowhere", headers: ["X-Usagemock-Status": "500"]).status == 404)
    }
}
