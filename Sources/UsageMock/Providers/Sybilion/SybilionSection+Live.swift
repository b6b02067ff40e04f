/// Sybilion's live API for `usagemock verify` and `record`: usage events walked by
/// `page`, the `pagination` block and `X-Trace-Id`, a wrong key (401) and an
/// out-of-range `limit` (400).
extension SybilionSection: LiveProvider {
    static let testKey = "sk_ops_test"
    private static let route = "/api/v1/usage"

    static func verify(_ session: LiveSession, users: [String]) async throws(ConversationStop) {
        let wrongKey = try await session.expect("wrong key", .get, route, route: route, status: 401, token: LiveChecks.wrongKey)
        await session.record("X-Trace-Id repeats trace_id", wrongKey.request.endpoint, traceIDs(wrongKey))
        try await session.expect("limit out of range", .get, route + "?limit=201", route: route, status: 400)
        let byThree = try await PageWalk.verifyPaging(
            session, list: route, fields: "pagination", order: "id descending (sort=id&order=desc)",
            walk: { name, pageSize, pages throws(ConversationStop) in try await walk(session, name, pageSize: pageSize, pages: pages) },
            identity: identity, inOrder: idDescending, pageFields: pagination)
        guard let total = byThree.exchanges.first?.json["pagination"]?["total"]?.strictInteger, total > 0 else { return }
        // The list ends where `total` says: the last page at limit 3 holds the rest, the page after it none.
        let lastPage = (total + 2) / 3
        for (page, rows) in [(lastPage, total - (lastPage - 1) * 3), (lastPage + 1, 0)] {
            let answer = try await session.send(.get, route + "?page=\(page)&limit=3&sort=id&order=desc")
            let count = LiveChecks.rowCount(
                answer, answer.json["usage_events"]?.arrayItems ?? [], expected: rows, because: "total \(total)")
            await session.expect("the list ends at total", answer, route: route, status: 200, plus: count.map { [$0] } ?? [])
        }
    }

    static func record(_ session: LiveSession, users: [String], maxRows: Int, asKey: String) async throws(ConversationStop) -> Recorded {
        let events = try await walk(session, "usage events", pageSize: 200, pages: .max, maxRows: maxRows)
        let account = StrictJSON.object(["keys": .array([.string(asKey)]), "events": .array(events.rows)])
        return Recorded(account: account, rows: events.rows.count)
    }

    private static func walk(_ session: LiveSession, _ name: String, pageSize: Int, pages: Int, maxRows: Int = .max)
        async throws(ConversationStop) -> PageWalk
    {
        try await session.walk(
            name, route: route, pageSize: pageSize, pages: pages, maxRows: maxRows,
            next: { limit, previous in
                let page = (previous?.json["pagination"]?["page"]?.strictInteger ?? 0) + 1
                if let previous, page > previous.json["pagination"]?["total_pages"]?.strictInteger ?? 0 { return nil }
                return (.get, route + "?page=\(page)&limit=\(limit)&sort=id&order=desc", nil)
            }, rows: { $0["usage_events"]?.arrayItems ?? [] })
    }

    private static func identity(_ row: StrictJSON) -> String {
        "id " + (row["id"].map { $0.strictInteger.map(String.init) ?? $0.summary } ?? "?")
    }

    private static func idDescending(_ a: StrictJSON, _ b: StrictJSON) -> Bool {
        guard let idA = a["id"]?.strictInteger, let idB = b["id"]?.strictInteger else { return true }
        return idA > idB
    }

    /// Errors repeat their `trace_id` in `X-Trace-Id`.
    private static func traceIDs(_ exchange: LiveSession.Exchange) -> [Finding] {
        let traceID = exchange.json["trace_id"]?.stringValue
        guard let header = exchange.response.values(of: "X-Trace-Id").first, header != traceID else { return [] }
        return [
            Finding(
                endpoint: exchange.request.endpoint, path: "header X-Trace-Id", expected: "$.trace_id (\(traceID ?? "none"))", got: header)
        ]
    }

    /// Every page echoes page, limit, sort and order, keeps one total with
    /// total_pages = ceil(total / limit); a walk through the last page saw `total` rows.
    private static func pagination(_ walk: PageWalk) -> [Finding] {
        var findings: [Finding] = []
        let total = walk.exchanges.first?.json["pagination"]?["total"]?.strictInteger ?? 0
        let pages = (total + walk.pageSize - 1) / walk.pageSize
        for (index, exchange) in walk.exchanges.enumerated() {
            findings += [
                LiveChecks.echoed(exchange, ["pagination", "page"], expected: index + 1, because: "the page asked for"),
                LiveChecks.echoed(exchange, ["pagination", "limit"], expected: walk.pageSize, because: "the limit asked for"),
                LiveChecks.echoed(exchange, ["pagination", "total"], expected: total, because: "the total of the first page"),
                LiveChecks.echoed(exchange, ["pagination", "total_pages"], expected: pages, because: "ceil(total / limit)"),
            ].compactMap { $0 }
        }
        if walk.exchanges.count >= pages, walk.rows.count != total {
            findings.append(
                Finding(
                    endpoint: walk.endpoint, path: "$.pagination.total", expected: "\(walk.rows.count) (the rows walked to the last page)",
                    got: "\(total)"))
        }
        return findings
    }
}
