import Testing
@testable import UsageMock

/// SPEC.md section 2.
@Suite struct PoeTests {
    let clockMicros = 1_795_262_400 * 1_000_000

    @Test func balance() {
        let response = send(.get, "/usage/current_balance", key: "sk_test_poe")
        #expect(response.status == 200)
        #expect(response.text == #"{"current_point_balance":295932027}"#)
    }

    @Test func unauthorizedShape() {
        let response = send(.get, "/usage/current_balance", key: "nope")
        #expect(response.text == #"{"error":{"message":"Invalid API key","type":"authentication_error","code":"invalid_api_key"}}"#)
    }

    @Test func defaultPageAndShape() {
        let response = send(.get, "/usage/points_history", key: "sk_test_poe")
        #expect(response.status == 200)
        let data = response.object["data"] as? [[String: Any]] ?? []
        #expect(data.count == 20)
        #expect(response.object["length"] as? Int == 20)
        #expect(response.object["has_more"] as? Bool == true)
        #expect(Set(data[0].keys) == ["creation_time", "bot_name", "query_id", "usage_type", "cost_points"])
    }

    @Test func walkShowsExactlyTheWindowNewestFirst() {
        for limit in [1, 7, 20, 100] {
            var seen: [[String: Any]] = []
            var cursor: String?
            var pages = 0
            while true {
                let target = "/usage/points_history?limit=\(limit)" + (cursor.map { "&starting_after=\($0)" } ?? "")
                let response = send(.get, target, key: "sk_test_poe")
                let data = response.object["data"] as? [[String: Any]] ?? []
                #expect(response.object["length"] as? Int == data.count)
                seen += data
                pages += 1
                guard response.object["has_more"] as? Bool == true, pages < 1000 else { break }
                cursor = data.last?["query_id"] as? String
            }
            #expect(seen.count == 250, "limit \(limit)")
            let ids = seen.compactMap { $0["query_id"] as? String }
            #expect(Set(ids).count == 250)
            let keys = seen.map { ($0["creation_time"] as? Int ?? 0, $0["query_id"] as? String ?? "") }
            #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 })
            #expect(keys.allSatisfy { $0.0 > clockMicros - 30 * 86_400 * 1_000_000 && $0.0 <= clockMicros })
            #expect(seen.allSatisfy { ["API", "Chat", "Canvas App"].contains($0["usage_type"] as? String ?? "") })
        }
    }

    @Test(arguments: ["limit=0", "limit=101", "limit=abc", "limit=1&limit=1", "starting_after=", "starting_after=unknown", "starting_after=a&starting_after=b"])
    func invalidParameters(_ query: String) {
        let response = send(.get, "/usage/points_history?\(query)", key: "sk_test_poe")
        #expect(response.status == 400)
        let error = response.object["error"] as? [String: Any]
        #expect(error?["type"] as? String == "invalid_request_error")
        #expect(error?["code"] as? String == "invalid_parameter")
        let name = query.prefix { $0 != "=" }
        #expect((error?["message"] as? String)?.contains(name) == true)
    }

    @Test func limitEdges() {
        #expect((send(.get, "/usage/points_history?limit=1", key: "sk_test_poe").object["data"] as? [Any])?.count == 1)
        #expect((send(.get, "/usage/points_history?limit=100", key: "sk_test_poe").object["data"] as? [Any])?.count == 100)
    }

    @Test func entriesOutsideTheWindowAreNotCursors() throws {
        let scenario = try loadScenario("""
        {"name":"w","clock":"2026-11-21T12:00:00Z","providers":{"poe":{"accounts":[{"keys":["k"],"balance":1,"entries":[
          {"creation_time":\(clockMicros),"bot_name":"b","query_id":"now","usage_type":"API","cost_points":1},
          {"creation_time":\(clockMicros - 30 * 86_400 * 1_000_000),"bot_name":"b","query_id":"old","usage_type":"API","cost_points":1},
          {"creation_time":\(clockMicros + 1),"bot_name":"b","query_id":"future","usage_type":"API","cost_points":1}]}]}}}
        """)
        let application = application(scenario)
        let page = send(.get, "/usage/points_history", key: "k", to: application)
        #expect((page.object["data"] as? [[String: Any]])?.map { $0["query_id"] as? String } == ["now"])
        #expect(send(.get, "/usage/points_history?starting_after=old", key: "k", to: application).status == 400)
        #expect(send(.get, "/usage/points_history?starting_after=now", key: "k", to: application).text == #"{"has_more":false,"length":0,"data":[]}"#)
    }

    @Test func methodNotAllowedShape() {
        let response = send(.put, "/usage/points_history", key: "sk_test_poe")
        #expect(response.status == 405)
        let error = response.object["error"] as? [String: Any]
        #expect(error?["type"] as? String == "invalid_request_error")
        #expect(error?["code"] as? String == "method_not_allowed")
    }
}
