import HTTPServerCore
import HTTPTypes
import Testing

@testable import UsageMock

@Suite struct RoutingTests {
    @Test func namedSegmentsMatchOneNonEmptySegment() throws {
        let pattern = PathPattern("/users/{user_id}/credits/usage")
        #expect(pattern.match(try RequestTarget("/users/abc/credits/usage")) == ["user_id": "abc"])
        #expect(pattern.match(try RequestTarget("/users//credits/usage")) == nil)
        #expect(pattern.match(try RequestTarget("/users/abc/credits/usage/")) == nil)
        #expect(pattern.match(try RequestTarget("/users/abc/credits")) == nil)
        // Segments are compared decoded: an encoded literal matches, an encoded `/` stays in its segment.
        #expect(pattern.match(try RequestTarget("/%75sers/a%2Fb/credits/usage")) == ["user_id": "a/b"])
        #expect(pattern.match(try RequestTarget("/users/a/b/credits/usage")) == nil)
    }

    @Test func pathsAreDecodedPerSegment() throws {
        let target = try RequestTarget("/users/a%2Fb/credits/usage?x=1")
        #expect(target.segments == ["users", "a/b", "credits", "usage"])
        #expect(target.rawPath == "/users/a%2Fb/credits/usage")
        #expect(throws: RequestTarget.ParseError.invalidPercentEncoding) { try RequestTarget("/usage/%zz") }
        #expect(throws: RequestTarget.ParseError.invalidPercentEncoding) { try RequestTarget("/usage/%ff") }
        #expect(throws: RequestTarget.ParseError.notOriginForm) { try RequestTarget("http://example.com/usage") }
    }

    /// The path ends at the first `?` or `#`; the query at the first `#` after it.
    @Test func pathQueryAndFragmentSplitWhereTheyBegin() throws {
        let cases: [(target: String, path: Substring, segments: Int, query: [String])] = [
            ("/", "/", 1, []),
            ("/a/b", "/a/b", 2, []),
            ("/a/?x=1", "/a/", 2, ["1"]),
            ("/a?x=1#f?x=2", "/a", 1, ["1"]),
            ("/a#f?x=2", "/a", 1, []),
            ("/a?x=1?x=2", "/a", 1, ["1?x=2"]),
            ("/a/%41#/%zz", "/a/%41", 2, []),
            ("/a?x=%zz", "/a", 1, ["%zz"]),
        ]
        for (text, path, segments, query) in cases {
            let target = try RequestTarget(text)
            #expect(target.rawPath == path, "\(text)")
            #expect(target.segmentCount == segments, "\(text)")
            #expect(target.query.values("x") == query, "\(text)")
        }
        #expect(throws: RequestTarget.ParseError.invalidPercentEncoding) { try RequestTarget("/%zz/a") }
        #expect(throws: RequestTarget.ParseError.invalidPercentEncoding) { try RequestTarget("/a/b%4?x=1") }
        #expect(throws: RequestTarget.ParseError.notOriginForm) { try RequestTarget("") }
        #expect(throws: RequestTarget.ParseError.notOriginForm) { try RequestTarget("#/a") }
        #expect(throws: RequestTarget.ParseError.notOriginForm) { try RequestTarget("?x=1") }
    }

    /// Delimiters are bytes: a combining mark after `/`, `?`, `&` or `=` does not hide
    /// it (a Character-wise split would see one grapheme there).
    @Test func delimitersFollowedByCombiningMarksStillSplit() throws {
        let target = try RequestTarget("/usage/a/\u{30B}b?x=\u{30B}1&\u{30B}y=2")
        #expect(target.rawPath == "/usage/a/\u{30B}b")
        #expect(target.segments == ["usage", "a", "\u{30B}b"])
        #expect(target.query.values("x") == ["\u{30B}1"])
        #expect(target.query.values("\u{30B}y") == ["2"])
    }

    @Test func unknownRouteIsTheMocksOwn404() {
        let response = send(.get, "/x")
        #expect(response.status == 404)
        #expect(response.text == #"{"error":"not_found","message":"no mock route for GET /x"}"#)
        #expect(response.header("Content-Type") == "application/json")
    }

    @Test func trailingSlashIsNotAccepted() {
        #expect(send(.get, "/usage/current_balance/", key: "sk_test_poe").status == 404)
        #expect(send(.get, "/api/v1/usage/", key: "sk_ops_test").status == 404)
    }

    @Test func percentEncodedPathsMatchAfterDecoding() {
        #expect(send(.get, "/usage/current%5Fbalance", key: "sk_test_poe").status == 200)
    }

    @Test func badPercentEncodingIsA400() {
        let response = send(.get, "/usage/%zz")
        #expect(response.status == 400)
        #expect(response.object["error"] as? String == "bad_request")
    }

    @Test func knownPathWithAnotherMethodIs405WithAllow() {
        let poe = send(.post, "/usage/current_balance", key: "sk_test_poe")
        #expect(poe.status == 405)
        #expect(poe.header("Allow") == "GET")
        let klaim = send(.get, "/users/x/credits/usage", key: "klaim_test_key")
        #expect(klaim.status == 405)
        #expect(klaim.header("Allow") == "POST")
        let admin = send(.delete, "/__admin/health")
        #expect(admin.status == 405)
        #expect(admin.header("Allow") == "GET")
    }

    @Test func healthAnswersOk() {
        let response = send(.get, "/__admin/health")
        #expect(response.status == 200)
        #expect(response.object["status"] as? String == "ok")
        #expect(response.object["scenario"] as? String == "default")
        #expect(response.object["log_lines_dropped"] as? Int == 0)
    }

    @Test func rejectionsUseTheMocksShape() {
        let head = ServerRequest(method: .post, target: "/x")
        let tooLarge = defaultApplication.respond(toRejected: head, reason: .bodyTooLarge(limit: 1_048_576))
        #expect(tooLarge.head.status == .contentTooLarge)
        #expect(
            String(decoding: tooLarge.body, as: UTF8.self)
                == #"{"error":"payload_too_large","message":"request body exceeds 1048576 bytes"}"#)
        #expect(defaultApplication.respond(toRejected: head, reason: .headTooLarge(limit: 16384)).head.status.code == 431)
        #expect(defaultApplication.respond(toRejected: head, reason: .requestLineTooLong(limit: 16384)).head.status.code == 414)
    }
}

@Suite struct ParsingTests {
    @Test func repeatedQueryParametersStayVisible() {
        let query = QueryParameters(query: "limit=1&limit=2&a&b=&c=x%20y+z")
        #expect(query.values("limit") == ["1", "2"])
        #expect(query.values("a") == [""])
        #expect(query.values("b") == [""])
        #expect(query.values("c") == ["x y z"])
        #expect(throws: ParameterError(name: "limit", problem: .repeated)) { try query.single("limit") }
    }

    @Test func undecodableQueryValuesAreKeptAsWritten() {
        #expect(QueryParameters(query: "limit=%zz").values("limit") == ["%zz"])
    }

    @Test(arguments: ["abc", "1.5", "", "1e3", "+5", "9223372036854775808", "-9223372036854775809", "١٢", "1;2", " 1"])
    func strictIntegersRefuse(_ text: String) {
        #expect(parseStrictInteger(text) == nil)
    }

    @Test func strictIntegersAccept() {
        #expect(parseStrictInteger("0") == 0)
        #expect(parseStrictInteger("-5") == -5)
        #expect(parseStrictInteger("007") == 7)
        #expect(parseStrictInteger("9223372036854775807") == Int.max)
    }

    @Test func bearerTokens() {
        func token(_ values: [String]) -> String? {
            var headers = RequestHeaders()
            for value in values { headers.append(name: "authorization", value: value) }
            return bearerToken(in: headers)
        }
        #expect(token(["Bearer abc"]) == "abc")
        #expect(token(["bearer abc"]) == "abc")
        #expect(token(["BEARER abc"]) == "abc")
        #expect(token(["Bearer"]) == nil)
        #expect(token(["Bearer "]) == nil)
        #expect(token(["Bearer a b"]) == nil)
        #expect(token(["Basic abc"]) == nil)
        #expect(token(["Bearer a", "Bearer b"]) == nil)
        #expect(token([]) == nil)
    }

    @Test func requestJSONKeepsNumberSpelling() throws {
        guard case .object(let members) = try StrictJSON.parse(Array(#"{"limit": 1e3, "b": 10}"#.utf8)) else {
            Issue.record("not an object")
            return
        }
        guard case .number(let exponent) = members[0].value, case .number(let plain) = members[1].value else {
            Issue.record("not numbers")
            return
        }
        #expect(exponent == "1e3" && parseStrictInteger(exponent) == nil)
        #expect(plain == "10" && parseStrictInteger(plain) == 10)
    }

    @Test(arguments: [#"{"#, #"{"a":}"#, #"[1,]"#, "\"\u{1}\"", #"{"a":1}x"#, #"{"a":1,"a":2}"#, #""\ud800""#, "01", "1."])
    func requestJSONRefusesMalformedInput(_ text: String) {
        #expect(throws: StrictJSON.SyntaxError.self) { try StrictJSON.parse(Array(text.utf8)) }
    }

    @Test func requestJSONCapsNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: StrictJSON.SyntaxError.self) { try StrictJSON.parse(Array(deep.utf8)) }
    }

    @Test func requestJSONRefusesInvalidUTF8() {
        #expect(throws: StrictJSON.SyntaxError.self) { try StrictJSON.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func utcCalendar() {
        #expect(UTCTime.parseTimestamp("2026-11-21T12:00:00Z") == 1_795_262_400)
        #expect(UTCTime.timestamp(seconds: 1_795_262_400) == "2026-11-21T12:00:00Z")
        #expect(UTCTime.parseTimestamp("2026-02-29T00:00:00Z") == nil)
        #expect(UTCTime.parseDate("2024-02-29") != nil)
        #expect(UTCTime.daysInMonth(year: 2024, month: 2) == 29)
        #expect(UTCTime.daysInMonth(year: 2100, month: 2) == 28)
        #expect(UTCTime.daysInMonth(year: 2000, month: 2) == 29)
        #expect(UTCTime.compactTimestamp(seconds: 0) == "19700101000000")
    }

    @Test func pagination() {
        let cursors = CursorPagination(cursors: ["a", "b", "c"])
        #expect(cursors.page(after: nil, limit: 2) == .init(rows: 0..<2, hasMore: true))
        #expect(cursors.page(after: "b", limit: 2) == .init(rows: 2..<3, hasMore: false))
        #expect(cursors.page(after: "c", limit: 2) == .init(rows: 3..<3, hasMore: false))
        #expect(cursors.page(after: "x", limit: 2) == nil)
        #expect(OffsetPagination.page(total: 30, offset: 24, limit: 12) == .init(rows: 24..<30, hasMore: false))
        #expect(OffsetPagination.page(total: 30, offset: 40, limit: 12) == .init(rows: 30..<30, hasMore: false))
        #expect(PageNumberPagination.page(total: 142, page: 8, limit: 20) == .init(rows: 140..<142, totalPages: 8))
        #expect(PageNumberPagination.page(total: 0, page: 1, limit: 20) == .init(rows: 0..<0, totalPages: 0))
        #expect(PageNumberPagination.page(total: 5, page: Int.max, limit: 200).rows.isEmpty)
    }
}
