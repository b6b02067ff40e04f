/// Pages addressed by a 1-based number (Sybilion's `page`/`limit`).
enum PageNumberPagination {
    struct Page: Equatable {
        let rows: Range<Int>
        /// `ceil(total / limit)`, 0 when there are no rows.
        let totalPages: Int
    }

    /// A page past the last is empty.
    static func page(total: Int, page: Int, limit: Int) -> Page {
        let totalPages = (total + limit - 1) / limit
        let (start, overflow) = (page - 1).multipliedReportingOverflow(by: limit)
        guard !overflow, start < total else { return Page(rows: total..<total, totalPages: totalPages) }
        return Page(rows: start..<min(total, start + limit), totalPages: totalPages)
    }
}
