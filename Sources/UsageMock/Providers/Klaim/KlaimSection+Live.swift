/// Klaim's live API for `usagemock verify` and `record`: a user's records walked by
/// `starting_after` (the previous `lastKey`) with the read-only POST, the balance chain,
/// a wrong key (401), an out-of-range `limit` (400) and an unknown user (404).
extension KlaimSection: LiveProvider {
    static let testKey = "klaim_test_key"
    static let needsUsers = true
    private static let route = "/users/{user_id}/credits/usage"
    /// A user id no account should have, for the 404 check.
    private static let unknownUser = "usagemock-verify-no-such-user"

    static func verify(_ session: LiveSession, users: [String]) async throws(ConversationStop) {
        let user = users.first ?? unknownUser
        try await session.expect(
            "wrong key", .post, path(user), route: route, status: 401, body: body(limit: 3), token: LiveChecks.wrongKey)
        try await session.expect("limit out of range", .post, path(user), route: route, status: 400, body: body(limit: 101))
        try await session.expect("unknown user", .post, path(unknownUser), route: route, status: 404, body: body(limit: 3))
        try await PageWalk.verifyPaging(
            session, list: path(user), fields: "lastKey, balances", order: "newest created_at first",
            walk: { name, pageSize, pages throws(ConversationStop) in
                try await walk(session, name, user: user, pageSize: pageSize, pages: pages)
            },
            identity: identity, inOrder: newestFirst, pageFields: { lastKeys($0) + balanceChain($0) })
    }

    /// Klaim shows a record's `type_id` only as the `lastKey` of a page that ends on it:
    /// those records keep theirs, the others get one derived from `created_at` on load.
    static func record(_ session: LiveSession, users: [String], maxRows: Int, asKey: String) async throws(ConversationStop) -> Recorded {
        var recordedUsers: [StrictJSON] = []
        var rowCount = 0
        var prefixAppID: String?
        for user in users {
            let walk = try await walk(session, "records of \(user)", user: user, pageSize: 100, pages: .max, maxRows: maxRows - rowCount)
            var typeIDs: [Int: StrictJSON] = [:]
            var end = 0
            for exchange in walk.exchanges {
                end += exchange.json["data"]?.arrayItems?.count ?? 0
                guard let key = exchange.json["lastKey"] else { continue }
                typeIDs[end - 1] = key["type_id"]
                prefixAppID = prefixAppID ?? key["prefix_app_id"]?.stringValue
            }
            let records = walk.rows.enumerated().map { index, row in row.setting("user_id", nil).setting("type_id", typeIDs[index]) }
            recordedUsers.append(.object(["user_id": .string(user), "records": .array(records)]))
            rowCount += records.count
        }
        let appPrefix = "_credit-usage_"
        var notes: [String] = []
        let appID: String
        if let prefixAppID, prefixAppID.hasPrefix(appPrefix), prefixAppID.count > appPrefix.count {
            appID = String(prefixAppID.dropFirst(appPrefix.count))
        } else {
            appID = "recorded"
            notes.append("no page carried a lastKey, so the account's app id is unknown; the recording uses \"recorded\"")
        }
        let account = StrictJSON.object(["keys": .array([.string(asKey)]), "app_id": .string(appID), "users": .array(recordedUsers)])
        return Recorded(account: account, rows: rowCount, notes: notes)
    }

    private static func path(_ user: String) -> String { "/users/\(LiveChecks.queryEncoded(user))/credits/usage" }

    private static func body(limit: Int, after key: StrictJSON? = nil) -> [UInt8] {
        JSONWriter.document {
            $0.object {
                $0.field("limit", limit)
                if let key {
                    $0.key("starting_after")
                    $0.value(key)
                }
            }
        }
    }

    private static func walk(_ session: LiveSession, _ name: String, user: String, pageSize: Int, pages: Int, maxRows: Int = .max)
        async throws(ConversationStop) -> PageWalk
    {
        try await session.walk(
            name, route: route, pageSize: pageSize, pages: pages, maxRows: maxRows,
            next: { limit, previous in
                guard let previous else { return (.post, path(user), body(limit: limit)) }
                guard let key = previous.json["lastKey"] else { return nil }
                return (.post, path(user), body(limit: limit, after: key))
            }, rows: { $0["data"]?.arrayItems ?? [] })
    }

    /// A record as reports name it: its time, change and balance, as received.
    private static func identity(_ row: StrictJSON) -> String {
        func text(_ key: String) -> String {
            guard let value = row[key] else { return "?" }
            if case .number(let spelt) = value { return spelt }
            return value.summary
        }
        return "created_at \(text("created_at")) (change \(text("credit_change")), balance \(text("credit_balance")))"
    }

    private static func newestFirst(_ a: StrictJSON, _ b: StrictJSON) -> Bool {
        guard let timeA = a["created_at"]?.strictInteger, let timeB = b["created_at"]?.strictInteger else { return true }
        return timeA >= timeB
    }

    /// A `lastKey` only when records follow: a page after one must not be empty.
    private static func lastKeys(_ walk: PageWalk) -> [Finding] {
        zip(walk.exchanges, walk.exchanges.dropFirst()).compactMap { page, next in
            guard (next.json["data"]?.arrayItems ?? []).isEmpty else { return nil }
            return Finding(
                endpoint: page.request.endpoint, path: "$.lastKey", expected: "present only when more records follow",
                got: "present, and the next page is empty")
        }
    }

    /// Newest first, each balance is the next (older) record's balance plus its own change.
    private static func balanceChain(_ walk: PageWalk) -> [Finding] {
        for index in walk.rows.indices.dropFirst() {
            let newer = walk.rows[index - 1]
            let older = walk.rows[index]
            guard let balance = newer["credit_balance"]?.strictInteger, let change = newer["credit_change"]?.strictInteger,
                let olderBalance = older["credit_balance"]?.strictInteger, olderBalance + change != balance
            else { continue }
            return [
                Finding(
                    endpoint: walk.endpoint, path: "rows \(index - 1)–\(index) of the walk: credit_balance",
                    expected: "\(olderBalance + change) (older balance \(olderBalance) + credit_change \(change))", got: "\(balance)")
            ]
        }
        return []
    }
}
