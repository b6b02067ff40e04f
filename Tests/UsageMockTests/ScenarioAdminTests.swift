import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import UsageMock

/// `/__admin/scenario`, reset, clock and usage, in-process. The contract suite
/// (Tests/Contract/test_admin_state.py) sends these routes' main cases to the binary;
/// the concurrent swaps and the integer bounds are checked only here.
@Suite struct ScenarioAdminTests {
    private func fresh() -> MockApplication { application(ScenarioLoader.loadDefault()) }

    @Test func putSwapsAndResetRestores() throws {
        let app = fresh()
        let empty = try String(contentsOf: repositoryRoot.appendingPathComponent("Scenarios/empty.json"), encoding: .utf8)
        #expect(send(.put, "/__admin/scenario", body: empty, to: app).status == 200)
        #expect(send(.get, "/usage/current_balance", key: "sk_test_poe", to: app).status == 401)
        #expect(send(.get, "/__admin/health", to: app).object["scenario"] as? String == "empty")
        #expect(send(.post, "/__admin/reset", to: app).object["name"] as? String == "default")
        #expect(send(.get, "/usage/current_balance", key: "sk_test_poe", to: app).status == 200)
    }

    @Test func providersListRoutesAndEachAccountWithMaskedKeys() throws {
        let app = fresh()
        let multi = try String(contentsOf: repositoryRoot.appendingPathComponent("Scenarios/multi-account.json"), encoding: .utf8)
        #expect(send(.put, "/__admin/scenario", body: multi, to: app).status == 200)
        let answer = send(.get, "/__admin/scenario/providers", to: app)
        #expect(answer.status == 200)
        let poe = answer.object[path: "providers", "poe"] as? [String: Any]
        #expect(poe?["routes"] as? [String] == ["GET /usage/current_balance", "GET /usage/points_history"])
        let accounts = poe?["accounts"] as? [[String: Any]] ?? []
        #expect(accounts.map { $0["keys"] as? [String] } == [["sk_p********"], ["sk_p*******", "sk_p***************"]])
        let summary = send(.get, "/__admin/scenario", to: app).object[path: "providers", "poe", "entries_in_window"] as? Int
        #expect(accounts.reduce(0) { $0 + ($1["entries_in_window"] as? Int ?? 0) } == summary)
        let klaim = answer.object[path: "providers", "klaim"] as? [String: Any]
        #expect(((klaim?["accounts"] as? [[String: Any]])?.first?["user_ids"] as? [String])?.isEmpty == false)
        for key in ["sk_poe_alpha", "sk_poe_beta", "hb_alpha", "klaim_alpha", "sk_syb_beta"] { #expect(!answer.text.contains(key)) }
    }

    @Test func invalidPutKeepsTheOldScenario() {
        let app = fresh()
        let response = send(.put, "/__admin/scenario", body: #"{"name":"x","clock":"soon","providers":{}}"#, to: app)
        #expect(response.status == 400)
        #expect(
            response.object["message"] as? String
                == #"request body: $.clock: expected a UTC timestamp from 1970 on, like 2026-11-21T12:00:00Z, or "wall""#)
        #expect(app.scenario.name == "default")
    }

    @Test func clockMovesOnlyWhatReadsIt() {
        let app = fresh()
        let before = app.scenario
        #expect(send(.post, "/__admin/clock", body: #"{"advance_seconds":-86400}"#, to: app).status == 200)
        let after = app.scenario
        #expect(after.clockSeconds == before.clockSeconds - 86400)
        #expect(after.generatorClockSeconds == before.generatorClockSeconds)
        // Sybilion does not read the clock: the very same provider value is kept, down to
        // the storage of its sort orders (a rebuild would allocate them anew).
        func unitsOrderStorage(_ scenario: LoadedScenario) -> UnsafeRawPointer? {
            (scenario.providers[3] as? SybilionProvider)?.directory.accounts[0].ascendingOrder["units"]?
                .withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        }
        #expect(unitsOrderStorage(before) != nil)
        #expect(unitsOrderStorage(after) == unitsOrderStorage(before))
        #expect((after.providers[3] as? SybilionProvider)?.directory.accounts[0].rows.count == 142)
        #expect(send(.get, "/usage/points_history?limit=100", key: "sk_test_poe", to: app).object["length"] as? Int == 100)
    }

    @Test func poeUsageLowersTheBalance() {
        let app = fresh()
        let body =
            #"{"key":"sk_test_poe","entries":[{"bot_name":"GPT-5","cost_points":100},{"bot_name":"GPT-5","cost_points":20,"usage_type":"Chat"}]}"#
        #expect(send(.post, "/__admin/usage/poe", body: body, to: app).status == 200)
        #expect(send(.get, "/usage/current_balance", key: "sk_test_poe", to: app).text == #"{"current_point_balance":295931907}"#)
        #expect(app.scenario.providers[0].counts.last?.count == 252)
    }

    @Test func usageRefusalLeavesTheScenario() {
        let app = fresh()
        let response = send(
            .post, "/__admin/usage/poe", body: #"{"key":"sk_test_poe","entries":[{"bot_name":"x","cost_points":1,"query_id":""}]}"#, to: app
        )
        #expect(response.status == 400)
        #expect(response.object["message"] as? String == "$.entries[0].query_id: must not be empty")
        #expect(app.scenario.providers[0].counts.last?.count == 250)
    }

    @Test func hookBridgeUsageAddsAMonthTheAccountLacks() {
        let app = fresh()
        #expect(
            send(.post, "/__admin/usage/hookbridge", body: #"{"key":"hb_test_key","messages":12,"month":"2027-01"}"#, to: app).status == 200
        )
        let newest = (send(.get, "/v1/billing/usage-history?limit=1", key: "hb_test_key", to: app).object["data"] as? [[String: Any]])?
            .first
        #expect(newest?["period_start"] as? String == "2027-01-01")
        #expect(newest?["message_count"] as? Int == 12)
    }

    /// Usage added at runtime cannot push a number past ±(2^53 − 1), the bound scenario
    /// files are held to: the change is refused whole with the path and the reason.
    @Test func usageThatWouldLeaveTheIntegerBoundsIsRefused() throws {
        let max = 9_007_199_254_740_991
        let scenario = try loadScenario(
            #"""
            {"name":"edge","clock":"2026-11-21T12:00:00Z","providers":{
              "hookbridge":{"accounts":[{"keys":["hb"],"months":[{"period_start":"2026-11-01","message_count":\#(max - 5),"plan_limit":null}]}]},
              "klaim":{"accounts":[{"keys":["kl"],"app_id":"app","users":[{"user_id":"u","opening_balance":\#(max - 5)}]}]},
              "sybilion":{"accounts":[{"keys":["sy"],"events":[{"id":\#(max - 1),"endpoint":null,"units":1,"credits_charged":1,"eur_cents_charged":1,"created_at":"2026-11-20T10:00:00Z","async_job_id":null}]}]}}}
            """#)
        let app = application(scenario)
        let refusals = [
            ("hookbridge", #"{"key":"hb","messages":6}"#, "$.messages: the message count of 2026-11 would be \(max + 1)"),
            (
                "klaim", #"{"key":"kl","user_id":"u","records":[{"credit_change":5},{"credit_change":1}]}"#,
                "$.records: the balance of user \"u\" would be \(max + 1)"
            ),
            (
                "sybilion",
                #"{"key":"sy","events":[{"units":1,"credits_charged":1,"eur_cents_charged":1},{"units":1,"credits_charged":1,"eur_cents_charged":1}]}"#,
                "$.events: the id of the last event would be \(max + 1)"
            ),
        ]
        for (provider, body, message) in refusals {
            let response = send(.post, "/__admin/usage/\(provider)", body: body, to: app)
            #expect(response.status == 400)
            #expect(response.object["message"] as? String == message + ", which is out of range: scenario integers stay within ±\(max)")
        }
        // Up to the bound itself is fine.
        #expect(send(.post, "/__admin/usage/hookbridge", body: #"{"key":"hb","messages":5}"#, to: app).status == 200)
        #expect(
            send(.post, "/__admin/usage/klaim", body: #"{"key":"kl","user_id":"u","records":[{"credit_change":5}]}"#, to: app).status == 200
        )
        #expect(
            send(
                .post, "/__admin/usage/sybilion", body: #"{"key":"sy","events":[{"units":1,"credits_charged":1,"eur_cents_charged":1}]}"#,
                to: app
            ).status == 200)
        #expect(send(.get, "/api/v1/usage?limit=1", key: "sy", to: app).text.contains(#""id":\#(max),"#))
    }

    /// Scenario A knows Poe's key_a and has a 503 fault on Poe's balance; B knows
    /// HookBridge's key_b and has a 503 fault on its usage. Two writers swap them in
    /// opposite orders while requests run: each request gets its scenario's fault or a
    /// 401 for a key the scenario lacks, and a 200 would be a scenario served with the
    /// other's faults (run under the thread sanitizer by `make sanitize`).
    @Test func aScenarioAndItsFaultsAreSwappedAsOne() {
        let app = fresh()
        let a =
            #"{"name":"a","clock":"2026-11-21T12:00:00Z","providers":{"poe":{"accounts":[{"keys":["key_a"],"balance":1}]}},"faults":[{"provider":"poe","route":"/usage/current_balance","status":503}]}"#
        let b =
            #"{"name":"b","clock":"2026-11-21T12:00:00Z","providers":{"hookbridge":{"accounts":[{"keys":["key_b"]}]}},"faults":[{"provider":"hookbridge","route":"/v1/billing/usage-history","status":503}]}"#
        #expect(send(.put, "/__admin/scenario", body: a, to: app).status == 200)
        // Threads, not tasks: the cooperative pool has a thread per core, too few to interleave four loops.
        let refusedSwaps = Counter()
        let mixedAnswers = Counter()
        let writers = [[a, b], [b, a]].map { order in
            Thread {
                for _ in 0..<1000 {
                    for scenario in order where send(.put, "/__admin/scenario", body: scenario, to: app).status != 200 {
                        refusedSwaps.add()
                    }
                }
            }
        }
        let readers = (0..<2).map { _ in
            Thread {
                for _ in 0..<5000 {
                    if ![503, 401].contains(send(.get, "/usage/current_balance", key: "key_a", to: app).status) { mixedAnswers.add() }
                    if ![503, 401].contains(send(.get, "/v1/billing/usage-history", key: "key_b", to: app).status) { mixedAnswers.add() }
                }
            }
        }
        runToCompletion(writers + readers)
        #expect(refusedSwaps.value == 0)
        #expect(mixedAnswers.value == 0)
        let servesA = app.scenario.name == "a"
        #expect(send(.get, "/usage/current_balance", key: "key_a", to: app).status == (servesA ? 503 : 401))
        #expect(send(.get, "/v1/billing/usage-history", key: "key_b", to: app).status == (servesA ? 401 : 503))
        let faults = send(.get, "/__admin/faults", to: app).object["faults"] as? [[String: Any]]
        #expect(faults?.count == 1)
        #expect(faults?.first?["provider"] as? String == (servesA ? "poe" : "hookbridge"))
    }

    /// Requests keep being answered, each by one whole scenario, while changes swap it:
    /// the default one (Poe's key known: its balance) or the empty one (the key unknown:
    /// 401). Every change succeeds, and the writer goes on until the readers have seen
    /// both scenarios, so swaps did happen under them (run under the thread sanitizer
    /// by `make sanitize`).
    @Test func requestsDuringSwapsSeeOneScenarioOrTheOther() throws {
        let app = fresh()
        let empty = try String(contentsOf: repositoryRoot.appendingPathComponent("Scenarios/empty.json"), encoding: .utf8)
        let defaultBalance = #"{"current_point_balance":295932027}"#
        let refusedChanges = Counter()
        let balances = Counter()
        let unauthorized = Counter()
        let otherAnswers = Counter()
        let writerDone = Atomic<Bool>(false)
        let changes: [(method: HTTPRequest.Method, target: String, body: String?)] = [
            (.put, "/__admin/scenario", empty),
            (.post, "/__admin/usage/sybilion", #"{"key":"sk_ops_empty","events":[{"units":1,"credits_charged":1,"eur_cents_charged":1}]}"#),
            (.post, "/__admin/clock", #"{"advance_seconds":60}"#),
            (.post, "/__admin/reset", nil),
        ]
        let writer = Thread {
            // At least 20 rounds, then until both scenarios were seen; 2,000 at most.
            for round in 0..<2000 {
                guard round < 20 || balances.value == 0 || unauthorized.value == 0 else { break }
                for change in changes where send(change.method, change.target, body: change.body, to: app).status != 200 {
                    refusedChanges.add()
                }
            }
            writerDone.store(true, ordering: .releasing)
        }
        // Threads, not tasks: the cooperative pool has a thread per core, too few to interleave.
        let readers = (0..<2).map { _ in
            Thread {
                while !writerDone.load(ordering: .acquiring) {
                    let response = send(.get, "/usage/current_balance", key: "sk_test_poe", to: app)
                    if response.status == 200, response.text == defaultBalance {
                        balances.add()
                    } else if response.status == 401 {
                        unauthorized.add()
                    } else {
                        otherAnswers.add()
                    }
                }
            }
        }
        runToCompletion([writer] + readers)
        #expect(refusedChanges.value == 0)
        #expect(otherAnswers.value == 0)
        #expect(balances.value > 0, "the readers never saw the default scenario")
        #expect(unauthorized.value > 0, "the readers never saw the empty scenario")
    }
}

/// Starts `threads` and returns when all have finished.
private func runToCompletion(_ threads: [Thread]) {
    for thread in threads { thread.start() }
    while threads.contains(where: { !$0.isFinished }) { usleep(1_000) }
}

/// A count that threads add to.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func add() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
