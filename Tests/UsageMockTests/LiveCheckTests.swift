import Testing

@testable import UsageMock

/// The machinery of `verify` and `record` without sockets: the schema comparison, the
/// page-walk checks, and the session's budget and stop rules over a transport that
/// answers from a list.
@Suite struct LiveCheckTests {
    private func json(_ text: String) throws -> StrictJSON { try StrictJSON.parse(Array(text.utf8)) }

    private func schema(_ schema: JSONSchema) throws -> StrictJSON { try StrictJSON.parse(schema.json) }

    @Test func aValueThatFitsHasNoDifferences() throws {
        let rows = try schema(
            .object([("id", .integer(minimum: 0)), ("name", .nullable(.string)), ("kind", .string(choices: ["a", "b"]))]))
        #expect(SchemaCheck.differences(try json(#"{"id":3,"name":null,"kind":"a"}"#), against: rows).isEmpty)
        #expect(SchemaCheck.differences(try json(#"{"id":0,"name":"x","kind":"b"}"#), against: rows).isEmpty)
    }

    @Test func eachKindOfDifferenceIsNamedWithPathExpectedAndGot() throws {
        let page = try schema(
            .object([
                (
                    "data",
                    .array(
                        .object([
                            ("id", .integer(minimum: 0)), ("at", .string(pattern: "^[0-9]{4}-[0-9]{2}$")), ("limit", .nullable(.integer)),
                            ("kind", .string(choices: ["a"])),
                        ]))
                )
            ]))
        let got = SchemaCheck.differences(
            try json(#"{"data":[{"id":-1,"at":"2026-1","limit":"5","kinds":"a","extra":true}]}"#), against: page)
        #expect(
            got == [
                .init(path: "$.data[0].kind", expected: "field kind: \"a\"", got: "missing"),
                .init(path: "$.data[0].id", expected: "integer ≥ 0", got: "integer -1"),
                .init(path: "$.data[0].at", expected: "string matching ^[0-9]{4}-[0-9]{2}$", got: "string \"2026-1\""),
                .init(path: "$.data[0].limit", expected: "integer or null", got: "string \"5\""),
                .init(path: "$.data[0].kinds", expected: "no field kinds", got: "added: string \"a\""),
                .init(path: "$.data[0].extra", expected: "no field extra", got: "added: boolean true"),
            ])
        #expect(
            SchemaCheck.differences(try json("1.5"), against: try schema(.integer)) == [
                .init(path: "$", expected: "integer", got: "number 1.5")
            ])
    }

    @Test func rowsThatDifferAlikeAreOneDifference() throws {
        let page = try schema(.array(.object([("id", .integer)])))
        let got = SchemaCheck.differences(try json(#"[{"id":"1"},{"id":"2"},{"id":3},{"id":"4"}]"#), against: page)
        #expect(got == [.init(path: "$[0].id", expected: "integer", got: "string \"1\" (and in 2 more rows of this answer)")])
    }

    private func walk(_ ids: [Int], pageSize: Int = 2) throws -> PageWalk {
        var walk = PageWalk(pageSize: pageSize)
        walk.rows = try ids.map { try json(#"{"id":\#($0)}"#) }
        return walk
    }

    private func id(_ row: StrictJSON) -> String { row["id"]?.strictInteger.map { "id \($0)" } ?? "?" }

    @Test func walksFindRepeatsDisorderAndDisagreement() throws {
        #expect(try walk([5, 4, 3]).duplicates(identity: id).isEmpty)
        #expect(try walk([5, 4, 4, 3]).duplicates(identity: id).map(\.got) == ["id 4 again (first at row 1)"])
        let descending: (StrictJSON, StrictJSON) -> Bool = { ($0["id"]?.strictInteger ?? 0) > ($1["id"]?.strictInteger ?? 0) }
        #expect(try walk([5, 4, 3]).order("id descending", inOrder: descending, identity: id).isEmpty)
        let disorder = try walk([5, 3, 4]).order("id descending", inOrder: descending, identity: id)
        #expect(disorder.map(\.path) == ["rows 1–2 of the walk"] && disorder.map(\.got) == ["id 3 before id 4"])
        #expect(PageWalk.sameRows(try walk([5, 4, 3], pageSize: 3), try walk([5, 4], pageSize: 4), identity: id).isEmpty)
        let apart = PageWalk.sameRows(try walk([5, 4, 3], pageSize: 3), try walk([5, 3, 2], pageSize: 4), identity: id)
        #expect(apart.map(\.got) == ["id 4 at limit 3, id 3 at limit 4"])
    }

    /// Answers from a list, one per request, and keeps what it was asked.
    actor ListedAnswers: UpstreamTransport {
        var answers: [UpstreamResponse]
        var asked: [UpstreamRequest] = []

        init(_ answers: [UpstreamResponse]) { self.answers = answers }

        func send(_ request: UpstreamRequest, to baseURL: String) async throws(UpstreamFailure) -> UpstreamResponse {
            asked.append(request)
            guard !answers.isEmpty else { throw UpstreamFailure("connection refused") }
            return answers.removeFirst()
        }
    }

    private func session(_ transport: ListedAnswers, maxRequests: Int = 5) -> LiveSession {
        let poe = ScenarioLoader.loadDefault().providers.first { $0.name == "poe" }!
        return LiveSession(
            transport: transport,
            options: .init(baseURL: "https://api.example", key: "sk_live_secret", maxRequests: maxRequests, pause: .zero),
            contract: ProviderContract(provider: poe))
    }

    private static let balance = UpstreamResponse(
        status: 200, headers: [("Content-Type", "application/json")], body: Array(#"{"current_point_balance":5}"#.utf8))

    @Test func theBudgetStopsTheConversationBeforeTheRequestPastIt() async throws {
        let transport = ListedAnswers(Array(repeating: Self.balance, count: 3))
        let session = session(transport, maxRequests: 2)
        _ = try await session.send(.get, "/usage/current_balance")
        _ = try await session.send(.get, "/usage/current_balance", token: .some(nil))
        await #expect(throws: ConversationStop.self) { _ = try await session.send(.get, "/usage/current_balance") }
        let asked = await transport.asked
        #expect(asked.map(\.token) == ["sk_live_secret", nil])
        #expect(await session.requestsSent == 2)
    }

    @Test func rateLimitsServerErrorsAndNonJSONStopIt() async throws {
        let answers = [
            UpstreamResponse(status: 429, headers: [("Retry-After", "7")], body: []),
            UpstreamResponse(status: 503, headers: [], body: Array("{}".utf8)),
            UpstreamResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array("<html>".utf8)),
        ]
        let session = session(ListedAnswers(answers))
        for expected in [
            "rate limited: GET /x answered 429 (Retry-After: 7)", "GET /x answered 503",
            "GET /x answered 200 with a body that is not JSON (Content-Type: text/html",
        ] {
            do {
                _ = try await session.send(.get, "/x")
                Issue.record("no stop for \(expected)")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(error)")
                #expect(!error.description.contains("sk_live_secret"))
            }
        }
    }

    @Test func answersAreCheckedAgainstTheProvidersOwnDocument() async throws {
        let wrong = UpstreamResponse(
            status: 200, headers: [("content-type", "application/json; charset=utf-8")], body: Array(#"{"current_point_balance":"5"}"#.utf8)
        )
        let session = session(ListedAnswers([Self.balance, wrong, Self.balance]))
        try await session.expect("balance", .get, "/usage/current_balance", route: "/usage/current_balance", status: 200)
        try await session.expect("balance as text", .get, "/usage/current_balance", route: "/usage/current_balance", status: 200)
        try await session.expect("401", .get, "/usage/current_balance", route: "/usage/current_balance", status: 401)
        let checks = await session.checks
        #expect(checks[0].findings.isEmpty)
        #expect(
            checks[1].findings == [
                Finding(endpoint: "GET /usage/current_balance", path: "$.current_point_balance", expected: "integer", got: "string \"5\"")
            ])
        #expect(checks[2].findings.map(\.path) == ["status"] && checks[2].findings.map(\.expected) == ["401"])
    }

    @Test func recordedJSONKeepsNumbersAsSpeltAndOneRowALine() throws {
        let value = try json(#"{"a":[{"n":1.50,"s":"é\"x"},{"n":-0}],"b":{"c":1}}"#)
        #expect(
            String(decoding: value.written(), as: UTF8.self) == """
                {
                  "a": [
                    {"n":1.50,"s":"é\\"x"},
                    {"n":-0}
                  ],
                  "b": {"c":1}
                }
                """)
    }
}
