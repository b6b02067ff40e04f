/// Pages addressed by how many rows to skip (HookBridge's `limit`/`offset`).
enum OffsetPagination {
    struct Page: Equatable {
        let rows: Range<Int>
        /// `offset + rows.count < total`.
        let hasMore: Bool
    }

    /// An offset at or past the end gives an empty page.
    static func page(total: Int, offset: Int, limit: Int) -> Page {
        let start = min(offset, total)
        let end = min(total, start + limit)
        return Page(rows: start..<end, hasMore: offset + (end - start) < total)
    }
}
