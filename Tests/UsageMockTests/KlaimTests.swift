import Foundation
import Testing

@testable import UsageMock

/// docs/behaviour.md, Klaim. Each test runs in-process and against a live server.
@Suite struct KlaimTests {
    let path = "/users/GtQ5Oezk6cOvSmPgxsMR/credits/usage"

    /// A request body asking for `limit` records after `cursor`.
    func body(limit: Int, after cursor: KlaimCursor) throws -> String {
        let cursorJSON = String(decoding: try JSONEncoder().encode(cursor), as: UTF8.self)
        return #"{"limit":\#(limit),"starting_after":\#(cursorJSON)}"#
    }

    @Test(arguments: Transport.allCases)
    func emptyBodyGivesTheDefaultPage(_ transport: Transport) throws {
        for body in [nil, "", "  \n", "{}"] as [String?] {
            let response = send(.post, path, key: "klaim_test_key", body: body, via: transport)
            #expect(response.status == 200)
            let page = try response.decoded(as: KlaimPage.self)
            #expect(page.message == "fetch resource successfully")
            #expect(page.data.count == 20)
            let lastKey = try #require(page.lastKey)
            #expect(lastKey.prefixAppID == "_credit-usage_appId1")
            #expect(lastKey.typeID.wholeMatch(of: /\d{14}_[a-z0-9]{5}/) != nil)
        }
    }

    @Test(arguments: Transport.allCases)
    func walkHasEveryRecordNewestFirstWithARunningBalance(_ transport: Transport) throws {
        for limit in [1, 7, 20, 100] {
            var all: [KlaimRecord] = []
            var body = #"{"limit":\#(limit)}"#
            for _ in 0..<200 {
                let response = send(.post, path, key: "klaim_test_key", body: body, via: transport)
                #expect(response.status == 200)
                let page = try response.decoded(as: KlaimPage.self)
                all += page.data
                guard let lastKey = page.lastKey else { break }
                body = try self.body(limit: limit, after: lastKey)
            }
            #expect(all.count == 120, "limit \(limit)")
            let times = all.map(\.createdAt)
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 >= $1 })
            let oldestFirst = all.reversed().map { ($0.creditChange, $0.creditBalance) }
            #expect(zip(oldestFirst, oldestFirst.dropFirst()).allSatisfy { $0.1 + $1.0 == $1.1 })
            #expect(all.allSatisfy { $0.userID == "GtQ5Oezk6cOvSmPgxsMR" })
        }
    }

    @Test(arguments: Transport.allCases)
    func lastPageHasNoLastKey(_ transport: Transport) throws {
        let first = try send(.post, path, key: "klaim_test_key", body: #"{"limit":100}"#, via: transport).decoded(as: KlaimPage.self)
        let next = send(.post, path, key: "klaim_test_key", body: try body(limit: 100, after: try #require(first.lastKey)), via: transport)
        #expect(try next.decoded(as: KlaimPage.self).data.count == 20)
        #expect(next.object["lastKey"] == nil)
    }

    @Test(arguments: Transport.allCases)
    func userWithoutRecords(_ transport: Transport) {
        let response = send(.post, "/users/user_empty/credits/usage", key: "klaim_test_key", via: transport)
        #expect(response.text == #"{"message":"fetch resource successfully","data":[]}"#)
    }

    @Test(arguments: Transport.allCases)
    func unknownUserIs404(_ transport: Transport) {
        let response = send(.post, "/users/nobody/credits/usage", key: "klaim_test_key", via: transport)
        #expect(response.status == 404)
        #expect(response.text == #"{"message":"Can not find user with the given user_id."}"#)
    }

    @Test(
        arguments: Transport.allCases,
        [
            "{", "[]", "1", "null", #""x""#, #"{"limit":0}"#, #"{"limit":101}"#, #"{"limit":"5"}"#, #"{"limit":1.0}"#,
            #"{"limit":1e1}"#, #"{"limit":null}"#, #"{"limit":true}"#, #"{"starting_after":"x"}"#,
            #"{"starting_after":{"prefix_app_id":"_credit-usage_appId1"}}"#,
            #"{"starting_after":{"prefix_app_id":"_credit-usage_appId1","type_id":"20200101000000_zzzzz"}}"#,
            #"{"starting_after":{"prefix_app_id":"_credit-usage_other","type_id":"20200101000000_zzzzz"}}"#,
            #"{"starting_after":{"prefix_app_id":"_credit-usage_appId1","type_id":5}}"#,
            #"{"limit":99999999999999999999999}"#,
        ])
    func badBodiesAre400(_ transport: Transport, _ body: String) throws {
        let response = send(.post, path, key: "klaim_test_key", body: body, via: transport)
        #expect(response.status == 400, "\(body)")
        #expect(try !response.decoded(as: KlaimMessage.self).message.isEmpty)
        #expect(response.object.count == 1)
    }

    @Test(arguments: Transport.allCases)
    func errorShapes(_ transport: Transport) throws {
        let unauthorized = send(.post, path, key: "nope", via: transport)
        #expect(unauthorized.status == 401)
        #expect(unauthorized.text == #"{"message":"Unauthorized"}"#)
        let notAllowed = send(.get, path, key: "klaim_test_key", via: transport)
        #expect(notAllowed.status == 405)
        #expect(notAllowed.header("Allow") == "POST")
        _ = try notAllowed.decoded(as: KlaimMessage.self)
    }
}

/// A page of `POST /users/{user_id}/credits/usage`, newest first; `lastKey` only when
/// more records follow.
struct KlaimPage: Decodable {
    let message: String
    let data: [KlaimRecord]
    let lastKey: KlaimCursor?
}

struct KlaimRecord: Decodable {
    let userID: String
    let createdAt: Int
    let creditChange: Int
    let creditBalance: Int
    let sourceType: String
    let description: String

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case createdAt = "created_at"
        case creditChange = "credit_change"
        case creditBalance = "credit_balance"
        case
            sourceType = "source_type"
        case description
    }
}

/// Where a page ended; sent back as `starting_after` for the next.
struct KlaimCursor: Codable {
    let prefixAppID: String
    let typeID: String

    enum CodingKeys: String, CodingKey {
        case prefixAppID = "prefix_app_id"
        case typeID = "type_id"
    }
}

/// Klaim's errors: a message and nothing else.
struct KlaimMessage: Decodable {
    let message: String
}
