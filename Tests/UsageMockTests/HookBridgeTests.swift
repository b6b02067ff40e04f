import Testing
@testable import UsageMock

/// SPEC.md section 3.
@Suite struct HookBridgeTests {
    @Test func defaultsAndShape() {
        let response = send(.get, "/v1/billing/usage-history", key: "hb_test_key")
        #expect(response.status == 200)
        let meta = response.object["meta"] as? [String: Any] ?? [:]
        #expect(meta["total"] as? Int == 30)
        #expect(meta["limit"] as? Int == 12)
        #expect(meta["offset"] as? Int == 0)
        #expect(meta["has_more"] as? Bool == true)
        let requestID = meta["request_id"] as? String ?? ""
        #expect(requestID.wholeMatch(of: /req_[a-z0-9]+/) != nil)
        #expect(response.header("X-Request-Id") == requestID)
        let data = response.object["data"] as? [[String: Any]] ?? []
        #expect(data.count == 12)
        #expect(data.first?["period_start"] as? String == "2026-11-01")
        #expect(data.first?["period_end"] as? String == "2026-11-30")
    }

    @Test func everyMonthKeepsTheInvariants() {
        let data = send(.get, "/v1/billing/usage-history?limit=24&offset=0", key: "hb_test_key").object["data"] as? [[String: Any]] ?? []
        let rest = send(.get, "/v1/billing/usage-history?limit=24&offset=24", key: "hb_test_key").object["data"] as? [[String: Any]] ?? []
        let months = data + rest
        #expect(months.count == 30)
        #expect(months.contains { $0["plan_limit"] is NSNull })
        var previous = "9999-99-99"
        for month in months {
            let start = month["period_start"] as? String ?? ""
            #expect(start < previous)
            previous = start
            let date = UTCTime.parseDate(start)!
            #expect(date.day == 1)
            #expect(month["period_end"] as? String == UTCTime.date(year: date.year, month: date.month, day: UTCTime.daysInMonth(year: date.year, month: date.month)))
            let count = month["message_count"] as? Int ?? -1
            let expected = (month["plan_limit"] as? Int).map { max(0, count - $0) } ?? 0
            #expect(month["overage_count"] as? Int == expected)
        }
    }

    @Test func offsetAtOrPastTotalIsEmpty() {
        for offset in [30, 31, 1000] {
            let response = send(.get, "/v1/billing/usage-history?offset=\(offset)", key: "hb_test_key")
            #expect(response.status == 200)
            #expect((response.object["data"] as? [Any])?.isEmpty == true)
            #expect(response.object[path: "meta", "has_more"] as? Bool == false)
        }
        let last = send(.get, "/v1/billing/usage-history?offset=18&limit=12", key: "hb_test_key")
        #expect(last.object[path: "meta", "has_more"] as? Bool == false)
        #expect((last.object["data"] as? [Any])?.count == 12)
    }

    @Test(arguments: ["limit=0", "limit=25", "offset=-1", "offset=x", "limit=1.5", "limit=&offset=0"])
    func invalidParameters(_ query: String) {
        let response = send(.get, "/v1/billing/usage-history?\(query)", key: "hb_test_key")
        #expect(response.status == 400)
        #expect(response.object[path: "error", "code"] as? String == "INVALID_REQUEST")
        let requestID = response.object[path: "meta", "request_id"] as? String
        #expect(requestID != nil)
        #expect(response.header("X-Request-Id") == requestID)
    }

    @Test func errorShapes() {
        let unauthorized = send(.get, "/v1/billing/usage-history", key: "nope")
        #expect(unauthorized.status == 401)
        #expect(unauthorized.object[path: "error", "code"] as? String == "UNAUTHORIZED")
        #expect(unauthorized.object[path: "error", "message"] as? String == "Invalid or missing API key")
        #expect(unauthorized.header("X-Request-Id") == unauthorized.object[path: "meta", "request_id"] as? String)
        let notAllowed = send(.post, "/v1/billing/usage-history", key: "hb_test_key")
        #expect(notAllowed.status == 405)
        #expect(notAllowed.object[path: "error", "code"] as? String == "METHOD_NOT_ALLOWED")
        #expect(notAllowed.header("X-Request-Id") != nil)
    }

    @Test func requestIDsAreUnique() {
        let ids = (0..<50).map { _ in send(.get, "/v1/billing/usage-history", key: "hb_test_key").header("X-Request-Id") ?? "" }
        #expect(Set(ids).count == 50)
    }
}

import Foundation
