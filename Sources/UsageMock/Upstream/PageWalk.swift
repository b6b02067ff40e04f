/// The first pages of a list, walked at one page size, and the checks every provider's
/// pagination must pass: each row once, the documented order, and the same rows
/// whatever the page size.
struct PageWalk: Sendable {
    let pageSize: Int
    var exchanges: [LiveSession.Exchange] = []
    var rows: [StrictJSON] = []

    /// How a report names the walk: the first request, and how many pages followed it.
    var endpoint: String {
        guard let first = exchanges.first else { return "(no page)" }
        return first.request.endpoint + (exchanges.count > 1 ? " and \(exchanges.count - 1) more pages" : "")
    }

    /// A request for the next page: method, target and body.
    typealias PageRequest = (method: UpstreamRequest.Method, target: String, body: [UInt8]?)

    /// The first row, by `identity`, that the walk shows twice.
    func duplicates(identity: (StrictJSON) -> String) -> [Finding] {
        var seen: [String: Int] = [:]
        for (index, row) in rows.enumerated() {
            let id = identity(row)
            if let first = seen[id] {
                return [
                    Finding(
                        endpoint: endpoint, path: "row \(index) of the walk", expected: "each row once",
                        got: "\(id) again (first at row \(first))")
                ]
            }
            seen[id] = index
        }
        return []
    }

    /// The first two neighbouring rows out of order; `inOrder` says whether `a` may come
    /// before `b`.
    func order(_ documented: String, inOrder: (StrictJSON, StrictJSON) -> Bool, identity: (StrictJSON) -> String) -> [Finding] {
        for index in rows.indices.dropFirst() where !inOrder(rows[index - 1], rows[index]) {
            return [
                Finding(
                    endpoint: endpoint, path: "rows \(index - 1)–\(index) of the walk", expected: documented,
                    got: "\(identity(rows[index - 1])) before \(identity(rows[index]))")
            ]
        }
        return []
    }

    /// Where two walks at different page sizes first disagree, over the rows both reached.
    static func sameRows(_ a: PageWalk, _ b: PageWalk, identity: (StrictJSON) -> String) -> [Finding] {
        for index in 0..<min(a.rows.count, b.rows.count) where identity(a.rows[index]) != identity(b.rows[index]) {
            return [
                Finding(
                    endpoint: "\(a.endpoint); \(b.endpoint)", path: "row \(index) of the walk",
                    expected: "the same row at limit \(a.pageSize) and at limit \(b.pageSize)",
                    got: "\(identity(a.rows[index])) at limit \(a.pageSize), \(identity(b.rows[index])) at limit \(b.pageSize)")
            ]
        }
        return []
    }
}

extension LiveSession {
    /// Walks at most `pages` pages (and `maxRows` rows) of `pageSize`, checking each page
    /// against the contract's 200 for `route`; `next` gives the request for the page after
    /// the one given (`nil`: the first), or `nil` when no page follows it, and `rows` a
    /// page's rows. A budget spent after the first page ends the walk with what it has.
    func walk(
        _ name: String, route: String, pageSize: Int, pages: Int, maxRows: Int = .max,
        next: (Int, Exchange?) -> PageWalk.PageRequest?, rows: (StrictJSON) -> [StrictJSON]
    ) async throws(ConversationStop) -> PageWalk {
        var walk = PageWalk(pageSize: pageSize)
        var findings: [Finding] = []
        while walk.exchanges.count < pages, walk.rows.count < maxRows, let request = next(pageSize, walk.exchanges.last) {
            let exchange: Exchange
            do {
                exchange = try await send(request.method, request.target, body: request.body)
            } catch .budgetSpent(let max) where !walk.exchanges.isEmpty {
                budgetNote = ConversationStop.budgetSpent(max).description
                break
            }
            walk.exchanges.append(exchange)
            for finding in contract.differences(exchange, route: route, method: request.method, status: 200)
            where !findings.contains(where: { $0.path == finding.path && $0.expected == finding.expected }) {
                findings.append(finding)
            }
            let page = rows(exchange.json)
            if page.isEmpty { break }
            walk.rows += page.prefix(maxRows - walk.rows.count)
        }
        record(name, walk.endpoint, findings)
        return walk
    }
}

extension PageWalk {
    /// A list's pagination as every provider's `verify` checks it: walked at limit 3 for
    /// four pages and at limit 4 for three (the same twelve rows), each walk checked for
    /// repeated rows, the documented order and `pageFields` (the provider's own page
    /// fields), then the two walks against each other. Returns the walk at limit 3.
    @discardableResult
    static func verifyPaging(
        _ session: LiveSession, list: String, fields: String, order documented: String,
        walk: (String, Int, Int) async throws(ConversationStop) -> PageWalk,
        identity: (StrictJSON) -> String, inOrder: (StrictJSON, StrictJSON) -> Bool,
        pageFields: (PageWalk) -> [Finding]
    ) async throws(ConversationStop) -> PageWalk {
        let byThree = try await walk("pages of 3", 3, 4)
        let byFour = try await walk("pages of 4", 4, 3)
        for walk in [byThree, byFour] {
            await session.record(
                "order and \(fields) at limit \(walk.pageSize)", walk.endpoint,
                walk.duplicates(identity: identity) + pageFields(walk) + walk.order(documented, inOrder: inOrder, identity: identity))
        }
        await session.record("same rows at limits 3 and 4", "\(list) (both walks)", sameRows(byThree, byFour, identity: identity))
        return byThree
    }
}
