import Testing

@testable import UsageMock

/// docs/behaviour.md, Poe. Each test runs in-process and against a live server.
@Suite struct PoeTests {
    let clockMicros = 1_795_262_400 * 1_000_000

    @Test(arguments: Transport.allCases)
    func balance(_ transport: Transport) throws {
        let response = send(.get, "/usage/current_balance", key: "sk_test_poe", via: transport)
        #expect(response.status == 200)
        #expect(response.text == #"{"current_point_balance":295932027}"#)
        #expect(try response.decoded(as: PoeBalance.self).currentPointBalance == 295_932_027)
    }

    @Test(arguments: Transport.allCases)
    func unauthorizedShape(_ transport: Transport) {
        let response = send(.get, "/usage/current_balance", key: "nope", via: transport)
        #expect(response.text == #"{"error":{"message":"Invalid API key","type":"authentication_error","code":"invalid_api_key"}}"#)
    }

    @Test(arguments: Transport.allCases)
    func defaultPageAndShape(_ transport: Transport) throws {
        let response = send(.get, "/usage/points_history", key: "sk_test_poe", via: transport)
        #expect(response.status == 200)
        let page = try response.decoded(as: PoePage.self)
        #expect(page.data.count == 20)
        #expect(page.length == 20)
        #expect(page.hasMore)
        #expect(Set(response.object.keys) == ["has_more", "length", "data"])
        let firstEntry = (response.object["data"] as? [[String: Any]])?.first ?? [:]
        #expect(Set(firstEntry.keys) == ["creation_time", "bot_name", "query_id", "usage_type", "cost_points"])
    }

    @Test(arguments: Transport.allCases)
    func walkShowsExactlyTheWindowNewestFirst(_ transport: Transport) throws {
        for limit in [1, 7, 20, 100] {
            var seen: [PoeEntry] = []
            var cursor: String?
            var pages = 0
            while true {
                let target = "/usage/points_history?limit=\(limit)" + (cursor.map { "&starting_after=\($0)" } ?? "")
                let page = try send(.get, target, key: "sk_test_poe", via: transport).decoded(as: PoePage.self)
                #expect(page.length == page.data.count)
                seen += page.data
                pages += 1
                guard page.hasMore, pages < 1000 else { break }
                cursor = page.data.last?.queryID
            }
            #expect(seen.count == 250, "limit \(limit)")
            #expect(Set(seen.map(\.queryID)).count == 250)
            let keys = seen.map { ($0.creationTime, $0.queryID) }
            #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 > $1 })
            #expect(keys.allSatisfy { $0.0 > clockMicros - 30 * 86_400 * 1_000_000 && $0.0 <= clockMicros })
            #expect(seen.allSatisfy { ["API", "Chat", "Canvas App"].contains($0.usageType) })
        }
    }

    @Test(
        arguments: Transport.allCases,
        [
            "limit=0", "limit=101", "limit=abc", "limit=1&limit=1", "starting_after=", "starting_after=unknown",
            "starting_after=a&starting_after=b",
        ])
    func invalidParameters(_ transport: Transport, _ query: String) throws {
        let response = send(.get, "/usage/points_history?\(query)", key: "sk_test_poe", via: transport)
        #expect(response.status == 400)
        let error = try response.decoded(as: PoeError.self).error
        #expect(error.type == "invalid_request_error")
        #expect(error.code == "invalid_parameter")
        let name = query.prefix { $0 != "=" }
        #expect(error.message.contains(name))
    }

    @Test(arguments: Transport.allCases)
    func limitEdges(_ transport: Transport) throws {
        #expect(
            try send(.get, "/usage/points_history?limit=1", key: "sk_test_poe", via: transport).decoded(as: PoePage.self).data.count == 1)
        #expect(
            try send(.get, "/usage/points_history?limit=100", key: "sk_test_poe", via: transport).decoded(as: PoePage.self).data.count
                == 100)
    }

    @Test(arguments: Transport.allCases)
    func entriesOutsideTheWindowAreNotCursors(_ transport: Transport) throws {
        let scenario = try loadScenario(
            """
            {"name":"w","clock":"2026-11-21T12:00:00Z","providers":{"poe":{"accounts":[{"keys":["k"],"balance":1,"entries":[
              {"creation_time":\(clockMicros),"bot_name":"b","query_id":"now","usage_type":"API","cost_points":1},
              {"creation_time":\(clockMicros - 30 * 86_400 * 1_000_000),"bot_name":"b","query_id":"old","usage_type":"API","cost_points":1},
              {"creation_time":\(clockMicros + 1),"bot_name":"b","query_id":"future","usage_type":"API","cost_points":1}]}]}}}
            """)
        let client = try TestClient(application(scenario), via: transport)
        let page = try client.send(.get, "/usage/points_history", key: "k").decoded(as: PoePage.self)
        #expect(page.data.map(\.queryID) == ["now"])
        #expect(client.send(.get, "/usage/points_history?starting_after=old", key: "k").status == 400)
        #expect(client.send(.get, "/usage/points_history?starting_after=now", key: "k").text == #"{"has_more":false,"length":0,"data":[]}"#)
    }

    @Test(arguments: Transport.allCases)
    func methodNotAllowedShape(_ transport: Transport) throws {
        let response = send(.put, "/usage/points_history", key: "sk_test_poe", via: transport)
        #expect(response.status == 405)
        let error = try response.decoded(as: PoeError.self).error
        #expect(error.type == "invalid_request_error")
        #expect(error.code == "method_not_allowed")
    }
}

/// `GET /usage/current_balance`.
struct PoeBalance: Decodable {
    let currentPointBalance: Int

    enum CodingKeys: String, CodingKey {
        case currentPointBalance = "current_point_balance"
    }
}

/// A page of `GET /usage/points_history`, newest first.
struct PoePage: Decodable {
    let hasMore: Bool
    let length: Int
    let data: [PoeEntry]

    enum CodingKeys: String, CodingKey {
        case hasMore = "has_more"
        case length, data
    }
}

struct PoeEntry: Decodable {
    let creationTime: Int
    let botName: String
    let queryID: String
    let usageType: String
    let costPoints: Int

    enum CodingKeys: String, CodingKey {
        case creationTime = "creation_time"
        case botName = "bot_name"
        case queryID = "query_id"
        case usageType = "usage_type"
        case costPoints = "cost_points"
    }
}

/// Poe's errors, in OpenAI's shape.
struct PoeError: Decodable {
    struct Body: Decodable {
        let message: String
        let type: String
        let code: String
    }

    let error: Body
}
