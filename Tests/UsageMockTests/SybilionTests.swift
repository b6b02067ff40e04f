import Testing
@testable import UsageMock

/// SPEC.md section 5.
@Suite struct SybilionTests {
    func events(_ response: TestResponse) -> [[String: Any]] {
        response.object["usage_events"] as? [[String: Any]] ?? []
    }

    @Test func defaultsAndShape() {
        let response = send(.get, "/api/v1/usage", key: "sk_ops_test")
        #expect(response.status == 200)
        let pagination = response.object["pagination"] as? [String: Any] ?? [:]
        #expect(pagination["page"] as? Int == 1)
        #expect(pagination["limit"] as? Int == 50)
        #expect(pagination["total"] as? Int == 142)
        #expect(pagination["total_pages"] as? Int == 3)
        #expect(pagination["sort"] as? String == "id")
        #expect(pagination["order"] as? String == "desc")
        #expect(events(response).count == 50)
        #expect(response.header("X-Trace-Id")?.isEmpty == false)
        let first = events(response)[0]
        #expect(Set(first.keys) == ["id", "endpoint", "units", "credits_charged", "eur_cents_charged", "created_at", "async_job_id"])
    }

    @Test func rowsKeepTheirFormats() {
        let all = events(send(.get, "/api/v1/usage?limit=200", key: "sk_ops_test"))
        #expect(all.count == 142)
        #expect(all.contains { $0["endpoint"] is NSNull })
        #expect(all.contains { $0["async_job_id"] is NSNull })
        #expect(all.contains { $0["async_job_id"] is String })
        for event in all {
            #expect(UTCTime.parseTimestamp(event["created_at"] as? String ?? "") != nil)
            if let job = event["async_job_id"] as? String { #expect(SybilionSection.isLowercaseUUID(job)) }
        }
    }

    @Test(arguments: SybilionProvider.sortColumns)
    func sortingIsStableWithIDTieBreak(_ column: String) {
        for order in ["asc", "desc"] {
            for limit in [7, 50, 200] {
                var all: [[String: Any]] = []
                var page = 1
                while true {
                    let response = send(.get, "/api/v1/usage?page=\(page)&limit=\(limit)&sort=\(column)&order=\(order)", key: "sk_ops_test")
                    let rows = events(response)
                    all += rows
                    guard page < (response.object[path: "pagination", "total_pages"] as? Int ?? 0) else { break }
                    page += 1
                }
                #expect(all.count == 142)
                #expect(Set(all.map { $0["id"] as? Int ?? 0 }).count == 142)
                func key(_ row: [String: Any]) -> (String, Int) {
                    let value = row[column]
                    let text = (value as? String) ?? String(format: "%020d", value as? Int ?? 0)
                    return (text, row["id"] as? Int ?? 0)
                }
                let keys = all.map(key)
                let sorted = order == "asc" ? zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 } : zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 }
                #expect(sorted, "\(column) \(order) limit \(limit)")
            }
        }
    }

    /// Events out of id order, or with values past 32 bits, are ordered like generated
    /// ones: by (column, id) with the id breaking ties.
    @Test(arguments: [[3, 1, 2], [1, 2, 3]], [7, 1 << 40])
    func explicitEventsSortByColumnThenID(_ ids: [Int], _ bigUnits: Int) throws {
        let units = [bigUnits, 7, 7]
        let events = zip(ids, units).map { id, units in
            #"{"id":\#(id),"endpoint":null,"units":\#(units),"credits_charged":1,"eur_cents_charged":\#(10 - id),"created_at":"2026-01-0\#(id)T00:00:00Z","async_job_id":null}"#
        }
        let generator = #"{"seed":1,"count":4,"first_id":10,"age_seconds":{"min":0,"max":9},"endpoints":[null],"units":{"min":6,"max":8},"credits_per_unit":{"min":1,"max":1},"eur_cents_per_credit":{"min":1,"max":1}}"#
        let scenario = try loadScenario(ScenarioTests.scenario(#""sybilion":{"accounts":[{"keys":["k"],"events":[\#(events.joined(separator: ","))],"generators":[\#(generator)]}]}"#))
        let application = application(scenario)
        for column in SybilionProvider.sortColumns {
            for order in ["asc", "desc"] {
                let rows = self.events(send(.get, "/api/v1/usage?limit=200&sort=\(column)&order=\(order)", key: "k", to: application))
                #expect(rows.count == 7)
                let keys = rows.map { row in
                    ((row[column] as? String) ?? String(format: "%020lld", (row[column] as? NSNumber)?.int64Value ?? -1), row["id"] as? Int ?? 0)
                }
                let sorted = order == "asc" ? zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 } : zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 }
                #expect(sorted, "\(column) \(order): \(keys)")
            }
        }
    }

    @Test func pagePastTheLastIsEmpty() {
        let response = send(.get, "/api/v1/usage?page=4", key: "sk_ops_test")
        #expect(response.status == 200)
        #expect(events(response).isEmpty)
        #expect(response.object[path: "pagination", "total_pages"] as? Int == 3)
    }

    @Test(arguments: ["page=0", "page=-1", "limit=0", "limit=201", "sort=name", "order=up", "sort=", "order=ASC", "page=1&page=2"])
    func invalidParameters(_ query: String) {
        let response = send(.get, "/api/v1/usage?\(query)", key: "sk_ops_test")
        #expect(response.status == 400)
        #expect(response.object["error"] is String)
        let traceID = response.object["trace_id"] as? String
        #expect(traceID != nil)
        #expect(response.header("X-Trace-Id") == traceID)
    }

    @Test func errorShapes() {
        let unauthorized = send(.get, "/api/v1/usage", key: "nope")
        #expect(unauthorized.status == 401)
        #expect(unauthorized.object["error"] as? String == "invalid or missing API token")
        #expect(unauthorized.header("X-Trace-Id") == unauthorized.object["trace_id"] as? String)
        let notAllowed = send(.delete, "/api/v1/usage", key: "sk_ops_test")
        #expect(notAllowed.status == 405)
        #expect(notAllowed.header("X-Trace-Id") == notAllowed.object["trace_id"] as? String)
    }

    @Test func traceIDsAreUnique() {
        let ids = (0..<50).map { _ in send(.get, "/api/v1/usage", key: "sk_ops_test").header("X-Trace-Id") ?? "" }
        #expect(Set(ids).count == 50)
    }
}

import Foundation
