/// Poe's live API for `usagemock verify` and `record`: the balance, the points history
/// walked by `starting_after`, a wrong key (401) and an out-of-range `limit` (400).
extension PoeSection: LiveProvider {
    static let testKey = "sk_test_poe"
    private static let balanceRoute = "/usage/current_balance"
    private static let historyRoute = "/usage/points_history"

    static func verify(_ session: LiveSession, users: [String]) async throws(ConversationStop) {
        try await session.expect("balance", .get, balanceRoute, route: balanceRoute, status: 200)
        try await session.expect("wrong key", .get, balanceRoute, route: balanceRoute, status: 401, token: LiveChecks.wrongKey)
        try await session.expect("limit out of range", .get, historyRoute + "?limit=101", route: historyRoute, status: 400)
        try await PageWalk.verifyPaging(
            session, list: historyRoute, fields: "length",
            order: "newest creation_time first, ties by query_id descending",
            walk: { name, pageSize, pages throws(ConversationStop) in try await walk(session, name, pageSize: pageSize, pages: pages) },
            identity: identity, inOrder: newestFirst, pageFields: pageFields)
    }

    static func record(_ session: LiveSession, users: [String], maxRows: Int, asKey: String) async throws(ConversationStop) -> Recorded {
        let balance = try await session.expect("balance", .get, balanceRoute, route: balanceRoute, status: 200)
        let history = try await walk(session, "points history", pageSize: 100, pages: .max, maxRows: maxRows)
        let account = StrictJSON.object([
            "keys": .array([.string(asKey)]),
            "balance": balance.json["current_point_balance"] ?? .null,
            "entries": .array(history.rows),
        ])
        return Recorded(account: account, rows: history.rows.count)
    }

    private static func walk(_ session: LiveSession, _ name: String, pageSize: Int, pages: Int, maxRows: Int = .max)
        async throws(ConversationStop) -> PageWalk
    {
        try await session.walk(
            name, route: historyRoute, pageSize: pageSize, pages: pages, maxRows: maxRows,
            next: { limit, previous in
                guard let previous else { return (.get, historyRoute + "?limit=\(limit)", nil) }
                guard previous.json["has_more"]?.boolValue == true,
                    let last = previous.json["data"]?.arrayItems?.last?["query_id"]?.stringValue
                else {
                    return nil
                }
                return (.get, historyRoute + "?limit=\(limit)&starting_after=" + LiveChecks.queryEncoded(last), nil)
            }, rows: { $0["data"]?.arrayItems ?? [] })
    }

    private static func identity(_ row: StrictJSON) -> String { row["query_id"]?.stringValue ?? row.summary }

    private static func newestFirst(_ a: StrictJSON, _ b: StrictJSON) -> Bool {
        guard let timeA = a["creation_time"]?.strictInteger, let timeB = b["creation_time"]?.strictInteger else { return true }
        return timeA != timeB ? timeA > timeB : identity(a) > identity(b)
    }

    /// `length` is the number of rows on its page.
    private static func pageFields(_ walk: PageWalk) -> [Finding] {
        walk.exchanges.compactMap { exchange in
            let count = exchange.json["data"]?.arrayItems?.count ?? 0
            guard let length = exchange.json["length"]?.strictInteger, length != count else { return nil }
            return Finding(
                endpoint: exchange.request.endpoint, path: "$.length", expected: "\(count) (the rows on the page)", got: "\(length)")
        }
    }
}
