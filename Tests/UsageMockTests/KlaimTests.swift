import Testing
@testable import UsageMock

/// SPEC.md section 4.
@Suite struct KlaimTests {
    let path = "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage"

    func records(_ response: TestResponse) -> [[String: Any]] {
        response.object["data"] as? [[String: Any]] ?? []
    }

    @Test func emptyBodyGivesTheDefaultPage() {
        for body in [nil, "", "  \n", "{}"] as [String?] {
            let response = send(.post, path, key: "klaim_test_key", body: body)
            #expect(response.status == 200)
            #expect(response.object["message"] as? String == "fetch resource successfully")
            #expect(records(response).count == 20)
            let lastKey = response.object["lastKey"] as? [String: Any]
            #expect(lastKey?["prefix_app_id"] as? String == "_credit-usage_appId1")
            #expect((lastKey?["type_id"] as? String)?.wholeMatch(of: /\d{14}_[a-z0-9]{5}/) != nil)
        }
    }

    @Test func walkHasEveryRecordNewestFirstWithARunningBalance() {
        for limit in [1, 7, 20, 100] {
            var all: [[String: Any]] = []
            var body = "{\"limit\":\(limit)}"
            for _ in 0..<200 {
                let response = send(.post, path, key: "klaim_test_key", body: body)
                #expect(response.status == 200)
                all += records(response)
                guard let lastKey = response.object["lastKey"] as? [String: Any] else { break }
                body = "{\"limit\":\(limit),\"starting_after\":{\"prefix_app_id\":\"\(lastKey["prefix_app_id"]!)\",\"type_id\":\"\(lastKey["type_id"]!)\"}}"
            }
            #expect(all.count == 120, "limit \(limit)")
            let times = all.map { $0["created_at"] as? Int ?? 0 }
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 >= $1 })
            let oldestFirst = all.reversed().map { ($0["credit_change"] as? Int ?? 0, $0["credit_balance"] as? Int ?? 0) }
            #expect(zip(oldestFirst, oldestFirst.dropFirst()).allSatisfy { $0.1 + $1.0 == $1.1 })
            #expect(all.allSatisfy { $0["user_id"] as? String == "GtQ5Oezk6cOvSmPgxsMR" })
        }
    }

    @Test func lastPageHasNoLastKey() {
        let response = send(.post, path, key: "klaim_test_key", body: #"{"limit":100}"#)
        let lastKey = response.object["lastKey"] as? [String: Any]
        let next = send(.post, path, key: "klaim_test_key", body: """
            {"limit":100,"starting_after":{"prefix_app_id":"\(lastKey?["prefix_app_id"] ?? "")","type_id":"\(lastKey?["type_id"] ?? "")"}}
            """)
        #expect(records(next).count == 20)
        #expect(next.object["lastKey"] == nil)
    }

    @Test func userWithoutRecords() {
        let response = send(.post, "/users/user_empty/credits/usage", key: "klaim_test_key")
        #expect(response.text == #"{"message":"fetch resource successfully","data":[]}"#)
    }

    @Test func unknownUserIs404() {
        let response = send(.post, "/users/nobody/credits/usage", key: "klaim_test_key")
        #expect(response.status == 404)
        #expect(response.text == #"{"message":"Can not find user with the given user_id."}"#)
    }

    @Test(arguments: [
        "{", "[]", "1", "null", #""x""#, #"{"limit":0}"#, #"{"limit":101}"#, #"{"limit":"5"}"#, #"{"limit":1.0}"#,
        #"{"limit":1e1}"#, #"{"limit":null}"#, #"{"limit":true}"#, #"{"starting_after":"x"}"#,
        #"{"starting_after":{"prefix_app_id":"_credit-usage_appId1"}}"#,
        #"{"starting_after":{"prefix_app_id":"_credit-usage_appId1","type_id":"20200101000000_zzzzz"}}"#,
        #"{"starting_after":{"prefix_app_id":"_credit-usage_other","type_id":"20200101000000_zzzzz"}}"#,
        #"{"starting_after":{"prefix_app_id":"_credit-usage_appId1","type_id":5}}"#,
        #"{"limit":99999999999999999999999}"#,
    ])
    func badBodiesAre400(_ body: String) {
        let response = send(.post, path, key: "klaim_test_key", body: body)
        #expect(response.status == 400, "\(body)")
        #expect((response.object["message"] as? String)?.isEmpty == false)
        #expect(response.object.count == 1)
    }

    @Test func errorShapes() {
        let unauthorized = send(.post, path, key: "nope")
        #expect(unauthorized.status == 401)
        #expect(unauthorized.text == #"{"message":"Unauthorized"}"#)
        let notAllowed = send(.get, path, key: "klaim_test_key")
        #expect(notAllowed.status == 405)
        #expect(notAllowed.header("Allow") == "POST")
        #expect(notAllowed.object["message"] is String)
    }
}
