import Foundation
import Testing

@testable import UsageMock

/// docs/behaviour.md, Sybilion. Each test runs in-process and against a live server.
@Suite struct SybilionTests {
    @Test(arguments: Transport.allCases)
    func defaultsAndShape(_ transport: Transport) throws {
        let response = send(.get, "/api/v1/usage", key: "sk_ops_test", via: transport)
        #expect(response.status == 200)
        let page = try response.decoded(as: SybilionPage.self)
        #expect(page.pagination.page == 1)
        #expect(page.pagination.limit == 50)
        #expect(page.pagination.total == 142)
        #expect(page.pagination.totalPages == 3)
        #expect(page.pagination.sort == "id")
        #expect(page.pagination.order == "desc")
        #expect(page.usageEvents.count == 50)
        #expect(response.header("X-Trace-Id")?.isEmpty == false)
        let first = (response.object["usage_events"] as? [[String: Any]])?.first ?? [:]
        #expect(Set(first.keys) == ["id", "endpoint", "units", "credits_charged", "eur_cents_charged", "created_at", "async_job_id"])
    }

    @Test(arguments: Transport.allCases)
    func rowsKeepTheirFormats(_ transport: Transport) throws {
        let all = try send(.get, "/api/v1/usage?limit=200", key: "sk_ops_test", via: transport).decoded(as: SybilionPage.self).usageEvents
        #expect(all.count == 142)
        #expect(all.contains { $0.endpoint.value == nil })
        #expect(all.contains { $0.asyncJobID.value == nil })
        #expect(all.contains { $0.asyncJobID.value != nil })
        for event in all {
            #expect(UTCTime.parseTimestamp(event.createdAt) != nil)
            if let job = event.asyncJobID.value { #expect(SybilionSection.isLowercaseUUID(job)) }
        }
    }

    @Test(arguments: Transport.allCases, SybilionProvider.sortColumns)
    func sortingIsStableWithIDTieBreak(_ transport: Transport, _ column: String) throws {
        for order in ["asc", "desc"] {
            for limit in [7, 50, 200] {
                var all: [SybilionEvent] = []
                var pageNumber = 1
                while true {
                    let page = try send(
                        .get, "/api/v1/usage?page=\(pageNumber)&limit=\(limit)&sort=\(column)&order=\(order)", key: "sk_ops_test",
                        via: transport
                    )
                    .decoded(as: SybilionPage.self)
                    all += page.usageEvents
                    guard pageNumber < page.pagination.totalPages else { break }
                    pageNumber += 1
                }
                #expect(all.count == 142)
                #expect(Set(all.map(\.id)).count == 142)
                let keys = try all.map { try #require($0.sortKey(column)) }
                let sorted =
                    order == "asc" ? zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 } : zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 }
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
        let generator =
            #"{"seed":1,"count":4,"first_id":10,"age_seconds":{"min":0,"max":9},"endpoints":[null],"units":{"min":6,"max":8},"credits_per_unit":{"min":1,"max":1},"eur_cents_per_credit":{"min":1,"max":1}}"#
        let scenario = try loadScenario(
            ScenarioTests.scenario(
                #""sybilion":{"accounts":[{"keys":["k"],"events":[\#(events.joined(separator: ","))],"generators":[\#(generator)]}]}"#))
        // Two argument lists already: the transports are a loop here.
        for transport in Transport.allCases {
            let client = try TestClient(application(scenario), via: transport)
            for column in SybilionProvider.sortColumns {
                for order in ["asc", "desc"] {
                    let rows = try client.send(.get, "/api/v1/usage?limit=200&sort=\(column)&order=\(order)", key: "k").decoded(
                        as: SybilionPage.self
                    ).usageEvents
                    #expect(rows.count == 7)
                    let keys = try rows.map { try #require($0.sortKey(column)) }
                    let sorted =
                        order == "asc"
                        ? zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 } : zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 }
                    #expect(sorted, "\(transport) \(column) \(order): \(keys)")
                }
            }
        }
    }

    @Test(arguments: Transport.allCases)
    func pagePastTheLastIsEmpty(_ transport: Transport) throws {
        let response = send(.get, "/api/v1/usage?page=4", key: "sk_ops_test", via: transport)
        #expect(response.status == 200)
        let page = try response.decoded(as: SybilionPage.self)
        #expect(page.usageEvents.isEmpty)
        #expect(page.pagination.totalPages == 3)
    }

    @Test(
        arguments: Transport.allCases,
        ["page=0", "page=-1", "limit=0", "limit=201", "sort=name", "order=up", "sort=", "order=ASC", "page=1&page=2"])
    func invalidParameters(_ transport: Transport, _ query: String) throws {
        let response = send(.get, "/api/v1/usage?\(query)", key: "sk_ops_test", via: transport)
        #expect(response.status == 400)
        let error = try response.decoded(as: SybilionError.self)
        #expect(response.header("X-Trace-Id") == error.traceID)
    }

    @Test(arguments: Transport.allCases)
    func errorShapes(_ transport: Transport) throws {
        let unauthorized = send(.get, "/api/v1/usage", key: "nope", via: transport)
        #expect(unauthorized.status == 401)
        let unauthorizedError = try unauthorized.decoded(as: SybilionError.self)
        #expect(unauthorizedError.error == "invalid or missing API token")
        #expect(unauthorized.header("X-Trace-Id") == unauthorizedError.traceID)
        let notAllowed = send(.delete, "/api/v1/usage", key: "sk_ops_test", via: transport)
        #expect(notAllowed.status == 405)
        #expect(try notAllowed.header("X-Trace-Id") == notAllowed.decoded(as: SybilionError.self).traceID)
    }

    @Test(arguments: Transport.allCases)
    func traceIDsAreUnique(_ transport: Transport) {
        let ids = (0..<50).map { _ in send(.get, "/api/v1/usage", key: "sk_ops_test", via: transport).header("X-Trace-Id") ?? "" }
        #expect(Set(ids).count == 50)
    }
}

/// A page of `GET /api/v1/usage`.
struct SybilionPage: Decodable {
    struct Pagination: Decodable {
        let page: Int
        let limit: Int
        let total: Int
        let totalPages: Int
        let sort: String
        let order: String

        enum CodingKeys: String, CodingKey {
            case page, limit, total
            case totalPages = "total_pages"
            case sort, order
        }
    }

    let usageEvents: [SybilionEvent]
    let pagination: Pagination

    enum CodingKeys: String, CodingKey {
        case usageEvents = "usage_events"
        case pagination
    }
}

struct SybilionEvent: Decodable {
    let id: Int
    let endpoint: Nullable<String>
    let units: Int
    let creditsCharged: Int
    let eurCentsCharged: Int
    let createdAt: String
    let asyncJobID: Nullable<String>

    enum CodingKeys: String, CodingKey {
        case id, endpoint, units
        case creditsCharged = "credits_charged"
        case eurCentsCharged = "eur_cents_charged"
        case createdAt = "created_at"
        case
            asyncJobID = "async_job_id"
    }

    /// The order `sort=column` promises: the column's value, then the id. Integers are
    /// zero-padded so that text order is number order; nil for a column not sorted by.
    func sortKey(_ column: String) -> (String, Int)? {
        let integer: Int
        switch column {
        case "created_at": return (createdAt, id)
        case "id": integer = id
        case "units": integer = units
        case "credits_charged": integer = creditsCharged
        case "eur_cents_charged": integer = eurCentsCharged
        default: return nil
        }
        return (String(format: "%020lld", Int64(integer)), id)
    }
}

/// Sybilion's errors: a message and the request's trace id.
struct SybilionError: Decodable {
    let error: String
    let traceID: String

    enum CodingKeys: String, CodingKey {
        case error
        case traceID = "trace_id"
    }
}
