import Foundation
import HTTPServerCore
import Testing

@testable import UsageMock

@Suite struct JournalTests {
    func journal(_ query: String = "", of application: MockApplication) -> [[String: Any]] {
        send(.get, "/__admin/requests" + query, to: application).object["requests"] as? [[String: Any]] ?? []
    }

    @Test func listsRequestsNewestFirstWithWhatWasAsked() {
        let application = application(ScenarioLoader.loadDefault())
        _ = send(.get, "/usage/points_history?limit=2&starting_after=abc", key: "sk_test_poe", to: application)
        _ = send(.post, "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", key: "klaim_test_key", body: #"{"limit":3}"#, to: application)
        _ = send(.get, "/nowhere", to: application)
        let entries = journal(of: application)
        #expect(
            entries.map { $0["path"] as? String } == ["/nowhere", "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", "/usage/points_history"])
        #expect(entries.map { $0["id"] as? Int } == [3, 2, 1])
        let poe = entries[2]
        #expect(poe["method"] as? String == "GET")
        #expect(poe["query"] as? String == "limit=2&starting_after=abc")
        #expect(poe["provider"] as? String == "poe")
        #expect(poe["route"] as? String == "GET /usage/points_history")
        #expect(poe["status"] as? Int == 400)
        #expect(poe["body_size"] as? Int == 0)
        let answer = send(.get, "/usage/points_history?limit=2&starting_after=abc", key: "sk_test_poe", to: application)
        #expect(poe["response_size"] as? Int == answer.body.count)
        #expect((poe["duration_us"] as? Int ?? -1) >= 0)
        #expect((poe["time"] as? String)?.count == "2026-11-22T03:25:05.695Z".count)
        #expect(entries[1]["body_size"] as? Int == 11)
        #expect(entries[1]["route"] as? String == "POST /users/{user_id}/credits/usage")
        #expect(entries[0]["provider"] is NSNull && entries[0]["route"] is NSNull && entries[0]["status"] as? Int == 404)
    }

    @Test func masksAuthorizationValues() {
        let application = application(ScenarioLoader.loadDefault())
        _ = send(.get, "/usage/current_balance", key: "sk_test_poe", to: application)
        _ = send(.get, "/usage/current_balance", authorization: "Basic dXNlcjpwYXNzd29yZA==", to: application)
        let entries = journal(of: application)
        #expect(
            entries.map { ($0["headers"] as? [String: String])?["Authorization"] } == ["Basic dXNl****************", "Bearer sk_t*******"])
        #expect(!send(.get, "/__admin/requests", to: application).text.contains("sk_test_poe"))
    }

    @Test func filtersByProviderPathAndStatus() {
        let application = application(ScenarioLoader.loadDefault())
        _ = send(.get, "/usage/current_balance", key: "sk_test_poe", to: application)
        _ = send(.get, "/usage/current_balance", key: "wrong", to: application)
        _ = send(.get, "/api/v1/usage", key: "sk_ops_test", to: application)
        _ = send(.get, "/x", to: application)
        #expect(journal("?provider=poe", of: application).count == 2)
        #expect(journal("?provider=sybilion", of: application).count == 1)
        #expect(journal("?provider=none", of: application).count == 1)
        #expect(journal("?provider=poe&status=401", of: application).count == 1)
        #expect(journal("?path=/api/v1/usage", of: application).count == 1)
        #expect(journal("?status=200", of: application).count == 2)
        #expect(journal("?limit=1", of: application).map { $0["path"] as? String } == ["/x"])
        for bad in ["?status=abc", "?status=42", "?limit=0", "?colour=red", "?provider=poe&provider=klaim"] {
            #expect(send(.get, "/__admin/requests" + bad, to: application).status == 400, "\(bad)")
        }
    }

    @Test func adminRequestsAreNotJournaledAndDeleteClears() {
        let application = application(ScenarioLoader.loadDefault())
        _ = send(.get, "/__admin/health", to: application)
        _ = send(.get, "/usage/current_balance", key: "sk_test_poe", to: application)
        _ = send(.get, "/__admin/requests", to: application)
        #expect(journal(of: application).count == 1)
        #expect(send(.delete, "/__admin/requests", to: application).text == #"{"cleared":1}"#)
        #expect(journal(of: application).isEmpty)
        _ = send(.get, "/usage/current_balance", key: "sk_test_poe", to: application)
        #expect(journal(of: application).map { $0["id"] as? Int } == [2])
    }

    @Test func keepsOnlyTheLastJournalSizeRequests() {
        let application = application(ScenarioLoader.loadDefault(), traffic: TrafficOptions(journalSize: 3))
        for page in 1...7 { _ = send(.get, "/api/v1/usage?page=\(page)", key: "sk_ops_test", to: application) }
        let entries = journal(of: application)
        #expect(entries.map { $0["query"] as? String } == ["page=7", "page=6", "page=5"])
        #expect(send(.get, "/__admin/requests", to: application).object["capacity"] as? Int == 3)
        // After the ring wrapped and was cleared, `after` still selects by id.
        #expect(journal("?after=5", of: application).map { $0["query"] as? String } == ["page=7", "page=6"])
        #expect(journal("?after=1", of: application).count == 3)
        #expect(journal("?after=7", of: application).isEmpty)
        _ = send(.delete, "/__admin/requests", to: application)
        _ = send(.get, "/api/v1/usage?page=8", key: "sk_ops_test", to: application)
        #expect(journal("?after=5", of: application).map { $0["id"] as? Int } == [8])
        #expect(send(.get, "/__admin/requests?after=-1", to: application).status == 400)
        let off = UsageMockTests.application(ScenarioLoader.loadDefault(), traffic: TrafficOptions(journalSize: 0))
        _ = send(.get, "/api/v1/usage", key: "sk_ops_test", to: off)
        #expect(journal(of: off).isEmpty)
    }

    @Test func recordsTheFaultThatFired() throws {
        let application = application(
            try defaultScenario(withFaults: #"[{"provider": "poe", "route": "/usage/current_balance", "drop": true, "nth": 2}]"#))
        _ = balanceStatuses(2, to: application)
        let entries = journal(of: application)
        #expect(entries[0]["fault"] as? Int == 1 && entries[0]["status"] is NSNull)
        #expect(entries[1]["fault"] is NSNull && entries[1]["status"] as? Int == 200)
        #expect(journal("?status=200", of: application).count == 1)
    }
}

@Suite struct CORSTests {
    @Test func everyProviderResponseAllowsAnyOrigin() {
        for response in [send(.get, "/usage/current_balance", key: "sk_test_poe"), send(.get, "/x")] {
            #expect(response.header("Access-Control-Allow-Origin") == "*")
            #expect(response.header("Access-Control-Expose-Headers")?.contains("X-Trace-Id") == true)
        }
        #expect(send(.get, "/__admin/health").header("Access-Control-Allow-Origin") == nil)
    }

    @Test func preflightIsAnsweredForProviderPathsOnly() {
        let request = [
            "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        ]
        let klaim = send(.options, "/users/u/credits/usage", headers: request)
        #expect(klaim.status == 204)
        #expect(klaim.header("Access-Control-Allow-Methods") == "POST, OPTIONS")
        #expect(klaim.header("Access-Control-Allow-Headers") == "authorization, content-type")
        #expect(klaim.header("Access-Control-Allow-Origin") == "*")
        let anyHeaders = send(.options, "/api/v1/usage", headers: ["Access-Control-Request-Method": "GET"])
        #expect(anyHeaders.status == 204)
        #expect(anyHeaders.header("Access-Control-Allow-Headers") == CORSPolicy.defaultAllowedHeaders)
        // The admin surface answers no preflight: a browser then sends no cross-origin PUT or DELETE.
        let faults = send(.options, "/__admin/faults", headers: ["Access-Control-Request-Method": "DELETE"])
        #expect(faults.status == 405)
        #expect(faults.header("Access-Control-Allow-Methods") == nil && faults.header("Access-Control-Allow-Origin") == nil)
        // Not a preflight: OPTIONS stays a method these paths do not serve.
        #expect(send(.options, "/api/v1/usage").status == 405)
        #expect(send(.options, "/nowhere", headers: request).status == 404)
    }

    @Test func noCORSSendsNoneOfIt() {
        let application = application(ScenarioLoader.loadDefault(), traffic: TrafficOptions(cors: false))
        let response = send(.get, "/usage/current_balance", key: "sk_test_poe", to: application)
        #expect(response.header("Access-Control-Allow-Origin") == nil)
        let preflight = send(.options, "/api/v1/usage", headers: ["Access-Control-Request-Method": "GET"], to: application)
        #expect(preflight.status == 405)
        #expect(preflight.header("Access-Control-Allow-Origin") == nil)
    }
}

/// What a test asserts about the calls it made (issue 16): bodies, keys, query text, counts.
@Suite struct JournalQueryTests {
    @Test func keepsBodiesUpTo16KiB() {
        let application = application(ScenarioLoader.loadDefault())
        let path = "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage"
        _ = send(.post, path, key: "klaim_test_key", body: #"{"limit":3}"#, to: application)
        let large = #"{"limit":3,"note":""# + String(repeating: "x", count: 20_000) + #""}"#
        _ = send(.post, path, key: "klaim_test_key", body: large, to: application)
        let entries = send(.get, "/__admin/requests", to: application).object["requests"] as? [[String: Any]] ?? []
        #expect(entries[1]["body"] as? String == #"{"limit":3}"#)
        #expect(entries[1]["body_truncated"] as? Bool == false)
        #expect((entries[0]["body"] as? String)?.utf8.count == JournalEntry.bodyLimit)
        #expect(entries[0]["body_truncated"] as? Bool == true && entries[0]["body_size"] as? Int == large.utf8.count)
    }

    @Test func filtersByKeyAndQueryTextAndCountsMatches() {
        let application = application(ScenarioLoader.loadDefault())
        for limit in [1, 2, 3] { _ = send(.get, "/usage/points_history?limit=\(limit)", key: "sk_test_poe", to: application) }
        _ = send(.get, "/usage/current_balance", key: "sk_test_poe", to: application)
        _ = send(.get, "/api/v1/usage?limit=2", key: "sk_ops_test", to: application)
        func list(_ query: String) -> [String: Any] { send(.get, "/__admin/requests" + query, to: application).object }
        #expect(list("?key=sk_test_poe")["matched"] as? Int == 4)
        #expect(list("?key=sk_test_poe&limit=1")["matched"] as? Int == 4)
        #expect((list("?key=sk_test_poe&limit=1")["requests"] as? [Any])?.count == 1)
        #expect(list("?key=sk_ops_test")["matched"] as? Int == 1)
        #expect(list("?key=nobody")["matched"] as? Int == 0)
        #expect(!send(.get, "/__admin/requests?key=sk_test_poe", to: application).text.contains("sk_test_poe"))
        #expect(list("?query=limit%3D2")["matched"] as? Int == 2)
        #expect(list("?path=/usage/points_history")["matched"] as? Int == 3)
    }

    @Test func anUnknownProviderIsA400NamingTheProviders() {
        let response = send(.get, "/__admin/requests?provider=stripe")
        #expect(response.status == 400)
        #expect(response.object["message"] as? String == "provider must be one of: poe, hookbridge, klaim, sybilion, none")
    }
}

/// The journal's rings, one per worker, read as one journal.
@Suite struct JournalRingTests {
    func entry(_ target: String) -> JournalEntry {
        JournalEntry(
            receivedAtMicros: 0, method: "GET", target: target, headers: RequestHeaders(), body: [], provider: nil, route: nil,
            status: 200, responseSize: 0, durationMicros: 0, faultID: nil, responseFields: [:])
    }

    @Test func workersRingsReadAsOneJournalOfTheNewestEntries() {
        let journal = RequestJournal(capacity: 3)
        for (index, worker) in [0, 1, 1, 0, 2, 1].enumerated() {
            journal.record(entry("/\(index + 1)"), worker: worker)
        }
        #expect(journal.newestFirst().map(\.target) == ["/6", "/5", "/4"])
        #expect(journal.newestFirst().map(\.id) == [6, 5, 4])
        #expect(journal.newestFirst(after: 4).map(\.id) == [6, 5])
        #expect(journal.clear() == 3)
        #expect(journal.newestFirst().isEmpty)
        journal.record(entry("/7"), worker: RequestJournal.ringCount + 1)
        #expect(journal.newestFirst().map(\.id) == [7])
    }

    /// Workers append while a reader polls with `after=` the newest id it has seen, as
    /// the dashboard does: it must see every id, none skipped. Threads of their own, more
    /// than the cores, so workers are preempted between taking an id and storing it.
    @Test func aPollerMissesNoEntryWhileWorkersAppend() {
        let journal = RequestJournal(capacity: 1_000_000)
        let workers = 4
        let perWorker = 50_000
        let done = DispatchGroup()
        for worker in 0..<workers {
            done.enter()
            Thread.detachNewThread {
                for index in 0..<perWorker { journal.record(entry("/\(worker)/\(index)"), worker: worker) }
                done.leave()
            }
        }
        var seen: [Int] = []
        while seen.count < workers * perWorker {
            let newer = journal.newestFirst(after: seen.last ?? 0).map(\.id)
            seen += newer.reversed()
            if newer.isEmpty, done.wait(timeout: .now()) == .success, journal.newestFirst(after: seen.last ?? 0).isEmpty { break }
        }
        done.wait()
        #expect(seen.sorted() == seen, "ids came out of order")
        #expect(Set(1...(workers * perWorker)).subtracting(seen).sorted().prefix(10) == [], "ids the poller missed")
    }
}
