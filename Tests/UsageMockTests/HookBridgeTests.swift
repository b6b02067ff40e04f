import Testing

@testable import UsageMock

/// docs/behaviour.md, HookBridge. Each test runs in-process and against a live server.
@Suite struct HookBridgeTests {
    @Test(arguments: Transport.allCases)
    func defaultsAndShape(_ transport: Transport) throws {
        let response = send(.get, "/v1/billing/usage-history", key: "hb_test_key", via: transport)
        #expect(response.status == 200)
        let page = try response.decoded(as: HookBridgePage.self)
        #expect(page.meta.total == 30)
        #expect(page.meta.limit == 12)
        #expect(page.meta.offset == 0)
        #expect(page.meta.hasMore)
        #expect(page.meta.requestID.wholeMatch(of: /req_[a-z0-9]+/) != nil)
        #expect(response.header("X-Request-Id") == page.meta.requestID)
        #expect(page.data.count == 12)
        #expect(page.data.first?.periodStart == "2026-11-01")
        #expect(page.data.first?.periodEnd == "2026-11-30")
    }

    @Test(arguments: Transport.allCases)
    func everyMonthKeepsTheInvariants(_ transport: Transport) throws {
        let first = try send(.get, "/v1/billing/usage-history?limit=24&offset=0", key: "hb_test_key", via: transport).decoded(
            as: HookBridgePage.self)
        let rest = try send(.get, "/v1/billing/usage-history?limit=24&offset=24", key: "hb_test_key", via: transport).decoded(
            as: HookBridgePage.self)
        let months = first.data + rest.data
        #expect(months.count == 30)
        #expect(months.contains { $0.planLimit.value == nil })
        var previous = "9999-99-99"
        for month in months {
            #expect(month.periodStart < previous)
            previous = month.periodStart
            let date = try #require(UTCTime.parseDate(month.periodStart))
            #expect(date.day == 1)
            #expect(
                month.periodEnd
                    == UTCTime.date(year: date.year, month: date.month, day: UTCTime.daysInMonth(year: date.year, month: date.month)))
            #expect(month.overageCount == month.planLimit.value.map { max(0, month.messageCount - $0) } ?? 0)
        }
    }

    @Test(arguments: Transport.allCases)
    func offsetAtOrPastTotalIsEmpty(_ transport: Transport) throws {
        for offset in [30, 31, 1000] {
            let response = send(.get, "/v1/billing/usage-history?offset=\(offset)", key: "hb_test_key", via: transport)
            #expect(response.status == 200)
            let page = try response.decoded(as: HookBridgePage.self)
            #expect(page.data.isEmpty)
            #expect(!page.meta.hasMore)
        }
        let last = try send(.get, "/v1/billing/usage-history?offset=18&limit=12", key: "hb_test_key", via: transport).decoded(
            as: HookBridgePage.self)
        #expect(!last.meta.hasMore)
        #expect(last.data.count == 12)
    }

    @Test(arguments: Transport.allCases, ["limit=0", "limit=25", "offset=-1", "offset=x", "limit=1.5", "limit=&offset=0"])
    func invalidParameters(_ transport: Transport, _ query: String) throws {
        let response = send(.get, "/v1/billing/usage-history?\(query)", key: "hb_test_key", via: transport)
        #expect(response.status == 400)
        let error = try response.decoded(as: HookBridgeError.self)
        #expect(error.error.code == "INVALID_REQUEST")
        #expect(response.header("X-Request-Id") == error.meta.requestID)
    }

    @Test(arguments: Transport.allCases)
    func errorShapes(_ transport: Transport) throws {
        let unauthorized = send(.get, "/v1/billing/usage-history", key: "nope", via: transport)
        #expect(unauthorized.status == 401)
        let unauthorizedError = try unauthorized.decoded(as: HookBridgeError.self)
        #expect(unauthorizedError.error.code == "UNAUTHORIZED")
        #expect(unauthorizedError.error.message == "Invalid or missing API key")
        #expect(unauthorized.header("X-Request-Id") == unauthorizedError.meta.requestID)
        let notAllowed = send(.post, "/v1/billing/usage-history", key: "hb_test_key", via: transport)
        #expect(notAllowed.status == 405)
        let notAllowedError = try notAllowed.decoded(as: HookBridgeError.self)
        #expect(notAllowedError.error.code == "METHOD_NOT_ALLOWED")
        #expect(notAllowed.header("X-Request-Id") == notAllowedError.meta.requestID)
    }

    @Test(arguments: Transport.allCases)
    func requestIDsAreUnique(_ transport: Transport) {
        let ids = (0..<50).map { _ in
            send(.get, "/v1/billing/usage-history", key: "hb_test_key", via: transport).header("X-Request-Id") ?? ""
        }
        #expect(Set(ids).count == 50)
    }
}

/// A page of `GET /v1/billing/usage-history`, newest month first.
struct HookBridgePage: Decodable {
    struct Meta: Decodable {
        let requestID: String
        let total: Int
        let limit: Int
        let offset: Int
        let hasMore: Bool

        enum CodingKeys: String, CodingKey {
            case requestID = "request_id"
            case total, limit, offset
            case hasMore = "has_more"
        }
    }

    let data: [HookBridgeMonth]
    let meta: Meta
}

struct HookBridgeMonth: Decodable {
    let periodStart: String
    let periodEnd: String
    let messageCount: Int
    let overageCount: Int
    /// Null for a month without a plan limit.
    let planLimit: Nullable<Int>

    enum CodingKeys: String, CodingKey {
        case periodStart = "period_start"
        case periodEnd = "period_end"
        case messageCount = "message_count"
        case overageCount = "overage_count"
        case
            planLimit = "plan_limit"
    }
}

/// HookBridge's errors: a code and a message, with the request id in `meta`.
struct HookBridgeError: Decodable {
    struct Body: Decodable {
        let code: String
        let message: String
    }

    struct Meta: Decodable {
        let requestID: String

        enum CodingKeys: String, CodingKey {
            case requestID = "request_id"
        }
    }

    let error: Body
    let meta: Meta
}
