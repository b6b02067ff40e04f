import HTTPTypes
import Testing
@testable import UsageMock

/// SPEC.md section 1, across the four providers.
@Suite struct CommonRuleTests {
    /// One authenticated request per provider and its key.
    static let endpoints: [(method: HTTPRequest.Method, path: String, key: String)] = [
        (.get, "/usage/current_balance", "sk_test_poe"),
        (.get, "/usage/points_history", "sk_test_poe"),
        (.get, "/v1/billing/usage-history", "hb_test_key"),
        (.post, "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", "klaim_test_key"),
        (.get, "/api/v1/usage", "sk_ops_test"),
    ]

    @Test(arguments: endpoints.indices)
    func authFailuresAre401WithWWWAuthenticate(_ index: Int) {
        let endpoint = Self.endpoints[index]
        #expect(send(endpoint.method, endpoint.path, key: endpoint.key).status == 200)
        #expect(send(endpoint.method, endpoint.path, authorization: "bearer \(endpoint.key)").status == 200)
        let otherKey = Self.endpoints[(index + 2) % Self.endpoints.count].key
        for authorization in [nil, "Basic \(endpoint.key)", "Bearer", "Bearer ", "Bearer \(endpoint.key) extra", "Bearer wrong", "Bearer \(otherKey)"] {
            let response = send(endpoint.method, endpoint.path, authorization: authorization)
            #expect(response.status == 401, "\(authorization ?? "no header")")
            #expect(response.header("WWW-Authenticate") == "Bearer")
            #expect(response.header("Content-Type") == "application/json")
        }
    }

    @Test func orderOfChecks() {
        // route before method: an unknown path is 404 whatever the method.
        #expect(send(.delete, "/nope", key: "sk_test_poe").status == 404)
        // method before auth: 405 without a key.
        #expect(send(.post, "/api/v1/usage").status == 405)
        // auth before parameters: a bad limit without a key is 401.
        #expect(send(.get, "/api/v1/usage?limit=0").status == 401)
        #expect(send(.get, "/usage/points_history?limit=0").status == 401)
        #expect(send(.get, "/v1/billing/usage-history?limit=0").status == 401)
        // body before resource: a bad body for an unknown user is 400, not 404.
        #expect(send(.post, "/users/nobody/credits/usage", key: "klaim_test_key", body: "{").status == 400)
        #expect(send(.post, "/users/nobody/credits/usage", key: "klaim_test_key", body: "{}").status == 404)
        // auth before resource: an unknown user without a key is 401.
        #expect(send(.post, "/users/nobody/credits/usage").status == 401)
    }

    @Test(arguments: ["abc", "1.5", "", "1e3", "99999999999999999999", "-1", "+1"])
    func badIntegersAre400Everywhere(_ value: String) {
        #expect(send(.get, "/usage/points_history?limit=\(value)", key: "sk_test_poe").status == 400)
        #expect(send(.get, "/v1/billing/usage-history?limit=\(value)", key: "hb_test_key").status == 400)
        #expect(send(.get, "/api/v1/usage?limit=\(value)", key: "sk_ops_test").status == 400)
        #expect(send(.get, "/api/v1/usage?page=\(value)", key: "sk_ops_test").status == 400)
    }

    /// An integer too large for Int64 is still an integer: the message gives the range.
    @Test func integersBeyondInt64AreOutOfRange() {
        let offset = send(.get, "/v1/billing/usage-history?offset=9981345829799897088", key: "hb_test_key")
        #expect(offset.object[path: "error", "message"] as? String == "offset must be an integer between 0 and 9223372036854775807")
        let page = send(.get, "/api/v1/usage?page=-99999999999999999999", key: "sk_ops_test")
        #expect(page.object["error"] as? String == "page must be an integer between 1 and 9223372036854775807")
        let klaim = send(.post, "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", key: "klaim_test_key", body: #"{"limit":99999999999999999999}"#)
        #expect(klaim.object["message"] as? String == "limit must be an integer between 1 and 100")
        #expect(send(.get, "/api/v1/usage?page=1.5", key: "sk_ops_test").object["error"] as? String == "page must be an integer")
    }

    @Test func repeatedParametersAre400() {
        #expect(send(.get, "/usage/points_history?limit=1&limit=2", key: "sk_test_poe").status == 400)
        #expect(send(.get, "/v1/billing/usage-history?offset=1&offset=1", key: "hb_test_key").status == 400)
        #expect(send(.get, "/api/v1/usage?sort=id&sort=id", key: "sk_ops_test").status == 400)
    }

    @Test(arguments: endpoints.indices)
    func sameRequestSameBytes(_ index: Int) {
        let endpoint = Self.endpoints[index]
        let first = send(endpoint.method, endpoint.path, key: endpoint.key)
        _ = send(.get, "/api/v1/usage?page=2", key: "sk_ops_test")
        let second = send(endpoint.method, endpoint.path, key: endpoint.key)
        func withoutIDs(_ response: TestResponse) -> String {
            response.text.replacing(/"(request_id|trace_id)":"[^"]*"/, with: "")
        }
        #expect(withoutIDs(first) == withoutIDs(second))
    }

    @Test func scenarioLoadsAreDeterministic() {
        let first = application(ScenarioLoader.loadDefault())
        let second = application(ScenarioLoader.loadDefault())
        for target in ["/usage/points_history?limit=100", "/usage/points_history?limit=100&starting_after=" + lastQueryID(of: first)] {
            #expect(send(.get, target, key: "sk_test_poe", to: first).body == send(.get, target, key: "sk_test_poe", to: second).body)
        }
    }

    private func lastQueryID(of application: MockApplication) -> String {
        let data = send(.get, "/usage/points_history?limit=100", key: "sk_test_poe", to: application).object["data"] as? [[String: Any]]
        return data?.last?["query_id"] as? String ?? ""
    }
}
