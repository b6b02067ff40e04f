/// HookBridge's live API for `usagemock verify` and `record`: the usage history walked
/// by `offset`, its `meta` (total, limit, offset, has_more) and `X-Request-Id`, a wrong
/// key (401) and an out-of-range `limit` (400).
extension HookBridgeSection: LiveProvider {
    static let testKey = "hb_test_key"
    private static let route = "/v1/billing/usage-history"

    static func verify(_ session: LiveSession, users: [String]) async throws(ConversationStop) {
        try await session.expect("wrong key", .get, route + "?limit=3", route: route, status: 401, token: LiveChecks.wrongKey)
        try await session.expect("limit out of range", .get, route + "?limit=25", route: route, status: 400)
        let byThree = try await PageWalk.verifyPaging(
            session, list: route, fields: "meta, X-Request-Id", order: "newest month first",
            walk: { name, pageSize, pages throws(ConversationStop) in try await walk(session, name, pageSize: pageSize, pages: pages) },
            identity: identity, inOrder: { identity($0) > identity($1) }, pageFields: meta)
        guard let total = byThree.exchanges.first?.json["meta"]?["total"]?.strictInteger, total > 0 else { return }
        // The list ends where `total` says: one row at offset total − 1, none at total.
        for (offset, rows) in [(total - 1, 1), (total, 0)] {
            let page = try await session.send(.get, route + "?limit=3&offset=\(offset)")
            let end = [
                LiveChecks.rowCount(page, page.json["data"]?.arrayItems ?? [], expected: rows, because: "total \(total)"),
                page.json["meta"]?["has_more"]?.boolValue == false
                    ? nil
                    : Finding(
                        endpoint: page.request.endpoint, path: "$.meta.has_more", expected: "false (the last page)",
                        got: page.json["meta"]?["has_more"]?.summary ?? "missing"),
            ]
            await session.expect("the list ends at total", page, route: route, status: 200, plus: end.compactMap { $0 })
        }
    }

    static func record(_ session: LiveSession, users: [String], maxRows: Int, asKey: String) async throws(ConversationStop) -> Recorded {
        let history = try await walk(session, "usage history", pageSize: 24, pages: .max, maxRows: maxRows)
        let account = StrictJSON.object(["keys": .array([.string(asKey)]), "months": .array(history.rows)])
        return Recorded(account: account, rows: history.rows.count)
    }

    private static func walk(_ session: LiveSession, _ name: String, pageSize: Int, pages: Int, maxRows: Int = .max)
        async throws(ConversationStop) -> PageWalk
    {
        try await session.walk(
            name, route: route, pageSize: pageSize, pages: pages, maxRows: maxRows,
            next: { limit, previous in
                guard let previous else { return (.get, route + "?limit=\(limit)&offset=0", nil) }
                guard previous.json["meta"]?["has_more"]?.boolValue == true, let offset = previous.json["meta"]?["offset"]?.strictInteger
                else { return nil }
                return (.get, route + "?limit=\(limit)&offset=\(offset + limit)", nil)
            }, rows: { $0["data"]?.arrayItems ?? [] })
    }

    private static func identity(_ row: StrictJSON) -> String { row["period_start"]?.stringValue ?? row.summary }

    /// Every page echoes its limit and offset, keeps one total, says `has_more` exactly
    /// when rows follow it, and repeats its `request_id` in `X-Request-Id`; a walk that
    /// reached the end saw `total` rows.
    private static func meta(_ walk: PageWalk) -> [Finding] {
        var findings: [Finding] = []
        let total = walk.exchanges.first?.json["meta"]?["total"]?.strictInteger ?? 0
        for (index, exchange) in walk.exchanges.enumerated() {
            let offset = index * walk.pageSize
            let count = exchange.json["data"]?.arrayItems?.count ?? 0
            findings += [
                LiveChecks.echoed(exchange, ["meta", "limit"], expected: walk.pageSize, because: "the limit asked for"),
                LiveChecks.echoed(exchange, ["meta", "offset"], expected: offset, because: "the offset asked for"),
                LiveChecks.echoed(exchange, ["meta", "total"], expected: total, because: "the total of the first page"),
            ].compactMap { $0 }
            if let hasMore = exchange.json["meta"]?["has_more"]?.boolValue, hasMore != (offset + count < total) {
                findings.append(
                    Finding(
                        endpoint: exchange.request.endpoint, path: "$.meta.has_more",
                        expected: "\(!hasMore) (offset \(offset) + \(count) rows vs total \(total))", got: "\(hasMore)"))
            }
            let requestID = exchange.json["meta"]?["request_id"]?.stringValue
            if let header = exchange.response.values(of: "X-Request-Id").first, header != requestID {
                findings.append(
                    Finding(
                        endpoint: exchange.request.endpoint, path: "header X-Request-Id",
                        expected: "$.meta.request_id (\(requestID ?? "none"))", got: header))
            }
        }
        if let last = walk.exchanges.last, last.json["meta"]?["has_more"]?.boolValue == false, walk.rows.count != total {
            findings.append(
                Finding(
                    endpoint: walk.endpoint, path: "$.meta.total", expected: "\(walk.rows.count) (the rows walked to the end)",
                    got: "\(total)"))
        }
        return findings
    }
}
