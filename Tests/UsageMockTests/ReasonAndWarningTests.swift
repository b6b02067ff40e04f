import Testing

@testable import UsageMock

/// `X-Usagemock-Reason` and `X-Usagemock-Warning` (issue 16): the mock says why and
/// what it ignored, while the body stays exactly the provider's.
@Suite struct ReasonAndWarningTests {
    @Test func everyKindOf401SaysWhichCheckFailed() {
        let cases: [(authorization: String?, reason: String)] = [
            (nil, "auth: no Authorization header"),
            ("Basic dXNlcjpwYXNz", "auth: not a Bearer token"),
            ("Bearer", "auth: not exactly one token after Bearer"),
            ("Bearer nope", "auth: unknown key"),
            ("Bearer hb_test_key", "auth: key of provider hookbridge"),
        ]
        for (authorization, reason) in cases {
            let response = send(.get, "/usage/current_balance", authorization: authorization)
            #expect(response.status == 401)
            #expect(response.header("X-Usagemock-Reason") == reason, "\(authorization ?? "none")")
            #expect(response.text == #"{"error":{"message":"Invalid API key","type":"authentication_error","code":"invalid_api_key"}}"#)
            #expect(!(response.header("X-Usagemock-Reason") ?? "").contains("hb_test"))
        }
    }

    @Test func the400NamesTheParameterAndTheJournalKeepsTheReason() {
        let application = application(ScenarioLoader.loadDefault())
        let response = send(.get, "/api/v1/usage?limit=500", key: "sk_ops_test", to: application)
        #expect(response.status == 400)
        #expect(response.header("X-Usagemock-Reason") == "invalid parameter limit: limit must be an integer between 1 and 200")
        #expect(
            send(.get, "/v1/billing/usage-history?offset=x", key: "hb_test_key").header("X-Usagemock-Reason")?.hasPrefix(
                "invalid parameter offset") == true)
        #expect(
            send(.post, "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage", key: "klaim_test_key", body: #"{"limit":0}"#).header(
                "X-Usagemock-Reason")?.hasPrefix("invalid parameter limit") == true)
        #expect(send(.post, "/users/nobody/credits/usage", key: "klaim_test_key").header("X-Usagemock-Reason") != nil)
        _ = send(.get, "/usage/current_balance", key: "klaim_test_key", to: application)
        let entries = send(.get, "/__admin/requests", to: application).object["requests"] as? [[String: Any]] ?? []
        #expect(
            entries.map { $0["reason"] as? String } == [
                "auth: key of provider klaim", "invalid parameter limit: limit must be an integer between 1 and 200",
            ])
        #expect(!send(.get, "/__admin/requests", to: application).text.contains("klaim_test_key"))
    }

    @Test func injectedStatusesNameTheirFaultOrHeader() {
        let application = application(ScenarioLoader.loadDefault())
        _ = send(.post, "/__admin/faults", body: #"{"provider":"poe","route":"/usage/current_balance","status":503}"#, to: application)
        #expect(
            send(.get, "/usage/current_balance", key: "sk_test_poe", to: application).header("X-Usagemock-Reason") == "fault 1 injected 503"
        )
        #expect(
            send(.get, "/api/v1/usage", headers: ["X-Usagemock-Status": "429"]).header("X-Usagemock-Reason")
                == "forced by X-Usagemock-Status: 429")
        #expect(send(.get, "/usage/current_balance", key: "sk_test_poe").header("X-Usagemock-Reason") == nil)
    }

    @Test func ignoredInputIsNamedInAWarning() {
        let unknown = send(.get, "/api/v1/usage?limit=2&colour=red&colour=blue&pge=2", key: "sk_ops_test")
        #expect(unknown.status == 200)
        #expect(unknown.header("X-Usagemock-Warning") == "unknown query parameter colour ignored; unknown query parameter pge ignored")
        let path = "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage"
        let misspelt = send(.post, path, key: "klaim_test_key", body: #"{"limt":2}"#)
        #expect(misspelt.status == 200 && (misspelt.object["data"] as? [Any])?.count == 20)
        #expect(misspelt.header("X-Usagemock-Warning") == "unknown body field limt ignored")
        let inQuery = send(.post, path + "?limit=2", key: "klaim_test_key")
        #expect((inQuery.object["data"] as? [Any])?.count == 20)
        #expect(inQuery.header("X-Usagemock-Warning") == "query parameter limit ignored: this route reads limit from the JSON body")
        #expect(send(.get, "/api/v1/usage?limit=2", key: "sk_ops_test").header("X-Usagemock-Warning") == nil)
    }
}
