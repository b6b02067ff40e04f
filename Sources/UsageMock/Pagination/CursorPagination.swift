/// Pages that start after a cursor naming a row (Poe's `starting_after` query id,
/// Klaim's `starting_after` key object). Rows are in serving order; a cursor is found
/// in O(1), so a page deep in a million rows costs what the first page costs.
struct CursorPagination<Cursor: Hashable & Sendable>: Sendable {
    private let positions: [Cursor: Int]
    let count: Int

    /// `cursors[i]` is the cursor of row `i`; cursors are unique (validated at load).
    init(cursors: [Cursor]) {
        var positions: [Cursor: Int] = [:]
        positions.reserveCapacity(cursors.count)
        for (index, cursor) in cursors.enumerated() { positions[cursor] = index }
        self.positions = positions
        self.count = cursors.count
    }

    struct Page: Equatable {
        let rows: Range<Int>
        /// Rows follow this page.
        let hasMore: Bool
    }

    /// The first `limit` rows strictly after `cursor` (from the start when nil); nil
    /// when the cursor names no row.
    func page(after cursor: Cursor?, limit: Int) -> Page? {
        var start = 0
        if let cursor {
            guard let position = positions[cursor] else { return nil }
            start = position + 1
        }
        let end = min(count, start + limit)
        return Page(rows: start..<end, hasMore: end < count)
    }
}
