import HTTPTypes
import Testing

@testable import UsageMock

/// The common rules of docs/behaviour.md, across the four providers. Each test runs in-process and against
/// a live server.
@Suite struct CommonRuleTests {
    /// One authenticated request per provider and its key.
    static let endpoints: [(method: HTTPRequest.Method, path: String, key: String)] = [
        (.get, "/usage/current_balance", "sk_test_poe"),
        (.get, "/usage/points_history", "sk_test_poe"),
        (.get, "/v1/billing/usage-history", "hb_test_key"),
        (.post, "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", "klaim_test_key"),
        (.get, "/api/v1/usage", "sk_ops_test"),
    ]

    @Test(arguments: Transport.allCases, endpoints.indices)
    func authFailuresAre401WithWWWAuthenticate(_ transport: Transport, _ index: Int) {
        let endpoint = Self.endpoints[index]
        #expect(send(endpoint.method, endpoint.path, key: endpoint.key, via: transport).status == 200)
        #expect(send(endpoint.method, endpoint.path, authorization: "bearer \(endpoint.key)", via: transport).status == 200)
        let otherKey = Self.endpoints[(index + 2) % Self.endpoints.count].key
        for authorization in [
            nil, "Basic \(endpoint.key)", "Bearer", "Bearer ", "Bearer \(endpoint.key) extra", "Bearer wrong", "Bearer \(otherKey)",
        ] {
            let response = send(endpoint.method, endpoint.path, authorization: authorization, via: transport)
            #expect(response.status == 401, "\(authorization ?? "no header")")
            #expect(response.header("WWW-Authenticate") == "Bearer")
            #expect(response.header("Content-Type") == "application/json")
        }
    }

    @Test(arguments: Transport.allCases)
    func orderOfChecks(_ transport: Transport) {
        // route before method: an unknown path is 404 whatever the method.
        #expect(send(.delete, "/nope", key: "sk_test_poe", via: transport).status == 404)
        // method before auth: 405 without a key.
        #expect(send(.post, "/api/v1/usage", via: transport).status == 405)
        // auth before parameters: a bad limit without a key is 401.
        #expect(send(.get, "/api/v1/usage?limit=0", via: transport).status == 401)
        #expect(send(.get, "/usage/points_history?limit=0", via: transport).status == 401)
        #expect(send(.get, "/v1/billing/usage-history?limit=0", via: transport).status == 401)
        // body before resource: a bad body for an unknown user is 400, not 404.
        #expect(send(.post, "/users/nobody/credits/usage", key: "klaim_test_key", body: "{", via: transport).status == 400)
        #expect(send(.post, "/users/nobody/credits/usage", key: "klaim_test_key", body: "{}", via: transport).status == 404)
        // auth before resource: an unknown user without a key is 401.
        #expect(send(.post, "/users/nobody/credits/usage", via: transport).status == 401)
    }

    @Test(arguments: Transport.allCases, ["abc", "1.5", "", "1e3", "99999999999999999999", "-1", "+1"])
    func badIntegersAre400Everywhere(_ transport: Transport, _ value: String) {
        #expect(send(.get, "/usage/points_history?limit=\(value)", key: "sk_test_poe", via: transport).status == 400)
        #expect(send(.get, "/v1/billing/usage-history?limit=\(value)", key: "hb_test_key", via: transport).status == 400)
        #expect(send(.get, "/api/v1/usage?limit=\(value)", key: "sk_ops_test", via: transport).status == 400)
        #expect(send(.get, "/api/v1/usage?page=\(value)", key: "sk_ops_test", via: transport).status == 400)
    }

    /// An integer too large for Int64 is still an integer: the message gives the range.
    @Test(arguments: Transport.allCases)
    func integersBeyondInt64AreOutOfRange(_ transport: Transport) throws {
        let offset = send(.get, "/v1/billing/usage-history?offset=9981345829799897088", key: "hb_test_key", via: transport)
        #expect(try offset.decoded(as: HookBridgeError.self).error.message == "offset must be an integer between 0 and 9223372036854775807")
        let page = send(.get, "/api/v1/usage?page=-99999999999999999999", key: "sk_ops_test", via: transport)
        #expect(try page.decoded(as: SybilionError.self).error == "page must be an integer between 1 and 9223372036854775807")
        let klaim = send(
            .post, "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", key: "klaim_test_key", body: #"{"limit":99999999999999999999}"#,
            via: transport)
        #expect(try klaim.decoded(as: KlaimMessage.self).message == "limit must be an integer between 1 and 100")
        let fraction = send(.get, "/api/v1/usage?page=1.5", key: "sk_ops_test", via: transport)
        #expect(try fraction.decoded(as: SybilionError.self).error == "page must be an integer")
    }

    @Test(arguments: Transport.allCases)
    func repeatedParametersAre400(_ transport: Transport) {
        #expect(send(.get, "/usage/points_history?limit=1&limit=2", key: "sk_test_poe", via: transport).status == 400)
        #expect(send(.get, "/v1/billing/usage-history?offset=1&offset=1", key: "hb_test_key", via: transport).status == 400)
        #expect(send(.get, "/api/v1/usage?sort=id&sort=id", key: "sk_ops_test", via: transport).status == 400)
    }

    @Test(arguments: Transport.allCases, endpoints.indices)
    func sameRequestSameBytes(_ transport: Transport, _ index: Int) {
        let endpoint = Self.endpoints[index]
        let first = send(endpoint.method, endpoint.path, key: endpoint.key, via: transport)
        _ = send(.get, "/api/v1/usage?page=2", key: "sk_ops_test", via: transport)
        let second = send(endpoint.method, endpoint.path, key: endpoint.key, via: transport)
        #expect(Self.withoutIDs(first) == Self.withoutIDs(second))
    }

    /// The body with the per-request ids taken out.
    private static func withoutIDs(_ response: TestResponse) -> String {
        response.text.replacing(/"(request_id|trace_id)":"[^"]*"/, with: "")
    }

    /// Requests that reach each kind of answer: success, refused key, other method,
    /// bad parameter or body, unknown resource or route.
    static let requestsAcrossTheRules: [(method: HTTPRequest.Method, target: String, key: String?, body: String?)] =
        endpoints.map {
            ($0.method, $0.path, $0.key, nil)
        } + [
            (.get, "/usage/points_history?limit=3", "nope", nil),
            (.delete, "/v1/billing/usage-history", "hb_test_key", nil),
            (.get, "/api/v1/usage?sort=name", "sk_ops_test", nil),
            (.post, "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", "klaim_test_key", #"{"limit":3}"#),
            (.post, "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", "klaim_test_key", "{"),
            (.post, "/users/nobody/credits/usage", "klaim_test_key", "{}"),
            (.get, "/nope", nil, nil),
        ]

    /// The live server frames what the application wrote (adding Content-Length and
    /// Date) and changes none of it: same status, same body, same header values, the
    /// per-request ids aside.
    @Test(arguments: requestsAcrossTheRules.indices)
    func bothTransportsGiveTheSameAnswer(_ index: Int) {
        let request = Self.requestsAcrossTheRules[index]
        let answers = Transport.allCases.map { send(request.method, request.target, key: request.key, body: request.body, via: $0) }
        let inProcess = answers[0]
        let live = answers[1]
        #expect(inProcess.status == live.status)
        #expect(Self.withoutIDs(inProcess) == Self.withoutIDs(live))
        #expect(!inProcess.body.isEmpty)
        let idHeaders: Set<String> = ["x-request-id", "x-trace-id"]
        for field in inProcess.headers {
            if idHeaders.contains(field.name.canonicalName) {
                #expect(live.headers[field.name] != nil, "\(field.name)")
            } else {
                #expect(live.headers[values: field.name] == inProcess.headers[values: field.name], "\(field.name)")
            }
        }
    }

    @Test func scenarioLoadsAreDeterministic() throws {
        let first = application(ScenarioLoader.loadDefault())
        let second = application(ScenarioLoader.loadDefault())
        for target in ["/usage/points_history?limit=100", "/usage/points_history?limit=100&starting_after=" + (try lastQueryID(of: first))]
        {
            #expect(send(.get, target, key: "sk_test_poe", to: first).body == send(.get, target, key: "sk_test_poe", to: second).body)
        }
    }

    private func lastQueryID(of application: MockApplication) throws -> String {
        try #require(send(.get, "/usage/points_history?limit=100", key: "sk_test_poe", to: application).decoded(as: PoePage.self).data.last)
            .queryID
    }
}
