import Testing

@testable import UsageMock

/// The admin surface answers this machine's user, not other web sites (issue 16).
@Suite struct AdminAccessTests {
    let page = ["Origin": "https://evil.example", "Host": "127.0.0.1:8080"]

    private func clock(of application: MockApplication) -> String? {
        send(.get, "/__admin/scenario", to: application).object["clock"] as? String
    }

    @Test func foreignOriginIsRefusedBeforeAnythingChanges() {
        let application = application(ScenarioLoader.loadDefault())
        let before = clock(of: application)
        // A "simple" request (text/plain, no preflight) from another site's script.
        let moved = send(
            .post, "/__admin/clock", body: #"{"advance_seconds":86400}"#, headers: page.merging(["Content-Type": "text/plain"]) { $1 },
            to: application)
        #expect(moved.status == 403)
        #expect(moved.object["error"] as? String == "forbidden")
        #expect((moved.object["message"] as? String)?.contains("https://evil.example") == true)
        #expect(moved.header("X-Usagemock-Reason") == "admin: foreign Origin")
        #expect(moved.header("Access-Control-Allow-Origin") == nil)
        #expect(clock(of: application) == before)
        for (method, path) in [
            ("POST", "/__admin/reset"), ("POST", "/__admin/faults"), ("GET", "/__admin/requests"), ("OPTIONS", "/__admin/scenario"),
        ] {
            let response = send(
                .init(method)!, path, headers: page.merging(["Access-Control-Request-Method": "PUT"]) { $1 }, to: application)
            #expect(response.status == 403, "\(method) \(path)")
            #expect(response.header("Access-Control-Allow-Origin") == nil)
        }
    }

    @Test func theMocksOwnPagesAndPlainClientsAreServed() {
        // curl sends Host and no Origin; a page the mock served sends its own origin.
        #expect(send(.get, "/__admin/requests", headers: ["Host": "127.0.0.1:8080"]).status == 200)
        #expect(send(.get, "/__admin/health", headers: ["Host": "localhost:8080", "Origin": "http://localhost:8080"]).status == 200)
        #expect(send(.get, "/__admin/health", headers: ["Host": "[::1]:8080"]).status == 200)
        #expect(send(.get, "/__admin/health").status == 200)
        // Provider routes keep CORS for any origin.
        let provider = send(.get, "/usage/current_balance", key: "sk_test_poe", headers: page)
        #expect(provider.status == 200 && provider.header("Access-Control-Allow-Origin") == "*")
    }

    @Test func aNonLoopbackHostIsRefusedWhileBoundToLoopback() {
        for host in ["rebind.example", "rebind.example:8080", "192.168.1.5:8080", "127.0.0.1.evil.example"] {
            let response = send(.get, "/__admin/requests", headers: ["Host": host])
            #expect(response.status == 403, "\(host)")
            #expect(response.header("X-Usagemock-Reason") == "admin: Host is not a loopback name")
        }
        // Bound to every address, other names are how the network reaches the mock.
        let exposed = MockApplication(scenario: ScenarioLoader.loadDefault(), admin: AdminAccess(boundHost: "0.0.0.0"))
        #expect(send(.get, "/__admin/health", headers: ["Host": "mock.lan:8080"], to: exposed).status == 200)
    }

    @Test func anAdminTokenIsRequiredWhenGiven() {
        let exposed = MockApplication(
            scenario: ScenarioLoader.loadDefault(), admin: AdminAccess(boundHost: "0.0.0.0", token: "s3cret-admin"))
        let refused = send(.post, "/__admin/reset", headers: ["Host": "mock.lan:8080"], to: exposed)
        #expect(refused.status == 403)
        #expect(refused.header("X-Usagemock-Reason") == "admin: missing or wrong admin token")
        #expect(!refused.text.contains("s3cret"))
        #expect(send(.post, "/__admin/reset", authorization: "Bearer wrong", to: exposed).status == 403)
        #expect(
            send(.post, "/__admin/reset", authorization: "Bearer s3cret-admin", headers: ["Host": "mock.lan:8080"], to: exposed).status
                == 200)
        // Provider routes do not ask for it.
        #expect(send(.get, "/usage/current_balance", key: "sk_test_poe", to: exposed).status == 200)
        // Nor does the dashboard's page, which a browser loads without headers of its own
        // and which holds no data; what it then reads needs the token.
        #expect(send(.get, "/__admin/", headers: ["Host": "mock.lan:8080"], to: exposed).status == 200)
        #expect(send(.get, "/__admin/requests", headers: ["Host": "mock.lan:8080"], to: exposed).status == 403)
        #expect(send(.post, "/__admin/", headers: ["Host": "mock.lan:8080"], to: exposed).status == 403)
    }

    @Test func loopbackNames() {
        for host in ["localhost", "LOCALHOST", "app.localhost", "127.0.0.1", "127.1.2.3", "::1"] {
            #expect(AdminAccess.isLoopback(host), "\(host)")
        }
        for host in ["0.0.0.0", "10.0.0.1", "localhost.example", "127.0.0.1.nip.io", "::", "128.0.0.1"] {
            #expect(!AdminAccess.isLoopback(host), "\(host)")
        }
        #expect(AdminAccess.hostName("[::1]:8080") == "::1")
        #expect(AdminAccess.hostName("localhost:8080") == "localhost")
    }
}

/// What a new user sees first (issue 16): the index at `/` and the startup summary.
@Suite struct FirstContactTests {
    @Test func theIndexListsRoutesWithoutKeys() {
        let index = send(.get, "/")
        #expect(index.status == 200)
        #expect(index.object[path: "providers", "klaim"] as? [String] == ["POST /users/{user_id}/credits/usage"])
        #expect((index.object["admin"] as? [String])?.contains("GET /__admin/requests") == true)
        #expect(!index.text.contains("sk_test_poe"))
        #expect(send(.post, "/").status == 405)
    }

    @Test func theStartupSummaryNamesRoutesKeysAndTheAdminURL() {
        let summary = defaultApplication.startupSummary(baseURL: "http://127.0.0.1:8080")
        #expect(summary.contains("GET /usage/current_balance, GET /usage/points_history"))
        #expect(summary.contains("keys: sk_test_poe (1 account, 250 entries in window)"))
        #expect(summary.contains("http://127.0.0.1:8080/__admin/"))
        #expect(summary.contains("this machine only"))
        let exposed = MockApplication(scenario: ScenarioLoader.loadDefault(), admin: AdminAccess(boundHost: "0.0.0.0"))
        #expect(exposed.startupSummary(baseURL: "http://0.0.0.0:8080").contains("open to the network: see --admin-token"))
    }
}
