import HTTPServerCore
import HTTPTypes

/// Sybilion: `GET /api/v1/usage`, page-number pagination over a chosen sort column
/// (docs/behaviour.md, Sybilion).
final class SybilionProvider: ServedProvider {
    struct EventRow: Sendable {
        let id: Int
        let endpoint: String?
        let units: Int
        let creditsCharged: Int
        let eurCentsCharged: Int
        /// Seconds since 1970.
        let createdAt: Int
        let asyncJobID: String?
    }

    static let sortColumns = ["id", "created_at", "eur_cents_charged", "credits_charged", "units"]

    /// An account's events, each serialised once, and for every sort column the row
    /// order ascending by (column, id); descending is that order read backwards, which
    /// keeps the `id` tie-break in the same direction as docs/behaviour.md says.
    final class Account: Sendable {
        let rows: SerializedRows
        let ascendingOrder: [String: [Int32]]

        init(events: [EventRow]) {
            var rows = SerializedRows(keys: [
                "id", "endpoint", "units", "credits_charged", "eur_cents_charged", "created_at", "async_job_id",
            ])
            rows.reserveCapacity(rows: events.count, valueBytesPerRow: 80)
            for event in events {
                rows.append {
                    $0.value(event.id)
                    $0.value(event.endpoint)
                    $0.value(event.units)
                    $0.value(event.creditsCharged)
                    $0.value(event.eurCentsCharged)
                    $0.value(UTCTime.timestamp(seconds: event.createdAt))
                    $0.value(event.asyncJobID)
                }
            }
            self.rows = rows
            let ids = events.map(\.id)
            let columns: [String: [Int]] = [
                "id": ids, "created_at": events.map(\.createdAt), "eur_cents_charged": events.map(\.eurCentsCharged),
                "credits_charged": events.map(\.creditsCharged), "units": events.map(\.units),
            ]
            let rowsInIDOrder = zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 }
            ascendingOrder = columns.mapValues { column in Self.ascendingOrder(of: column, ids: ids, rowsInIDOrder: rowsInIDOrder) }
        }

        /// Row numbers ascending by (`column`, id). Sorted as contiguous (value, id, row)
        /// triples: comparing through the row numbers looked up both columns at random
        /// places in memory, twice per comparison.
        ///
        /// When the rows are in id order (generated ones are), (value, id) order is value
        /// order with ties left in row order, and values that span fewer integers than
        /// there are rows (units, charges, ids) are ordered by counting, in one pass.
        /// Generated `created_at` is wider but arrives sorted, which the sort finds in
        /// one pass too.
        private static func ascendingOrder(of column: [Int], ids: [Int], rowsInIDOrder: Bool) -> [Int32] {
            if rowsInIDOrder, let low = column.min(), let high = column.max(),
                case (let span, let overflow) = high.subtractingReportingOverflow(low), !overflow, span < column.count
            {
                // Where each value's rows start in the order, then the rows in row order.
                var next = [Int](repeating: 0, count: span + 2)
                for value in column { next[value - low + 1] += 1 }
                for index in 1..<next.count { next[index] += next[index - 1] }
                var order = [Int32](repeating: 0, count: column.count)
                for (row, value) in column.enumerated() {
                    order[next[value - low]] = Int32(row)
                    next[value - low] += 1
                }
                return order
            }
            var keys = column.indices.map { row in (value: column[row], id: ids[row], row: Int32(row)) }
            keys.sort { ($0.value, $0.id) < ($1.value, $1.id) }
            return keys.map(\.row)
        }
    }

    let name = SybilionSection.providerKey
    let directory: AccountDirectory<Account>

    init(directory: AccountDirectory<Account>) {
        self.directory = directory
    }
    var keys: [String] { directory.keys }

    var accountSummaries: [AccountSummary] {
        directory.summaries { [("usage events", $0.rows.count)] }
    }

    var routes: RouteGroup {
        RouteGroup(
            routes: [
                Route(.get, "/api/v1/usage", documentation: Self.usageDocumentation) { [directory] request in
                    let traceID = Self.newTraceID()
                    guard let account = directory.account(for: request) else {
                        return Self.error(
                            .unauthorized, "invalid or missing API token", traceID: traceID, headers: [.wwwAuthenticate: "Bearer"])
                    }
                    return Self.usage(account, request.target.query, traceID: traceID)
                }
            ],
            methodNotAllowed: { request in
                Self.error(
                    .methodNotAllowed, "method \(request.method.rawValue) is not allowed on \(request.target.rawPath)",
                    traceID: Self.newTraceID())
            },
            methodNotAllowedDocumentation: Self.methodNotAllowedDocumentation
        )
    }

    private static func usage(_ account: Account, _ query: QueryParameters, traceID: RequestField) -> ServerResponse {
        let pageNumber: Int
        let limit: Int
        let sort: String
        let order: String
        do throws(ParameterError) {
            pageNumber = try query.integer(Self.page)
            limit = try query.integer(Self.limit)
            sort = try query.choice(Self.sort)
            order = try query.choice(Self.order)
        } catch {
            return Self.error(.badRequest, error.message, traceID: traceID).explained(error.reason)
        }
        let total = account.rows.count
        let page = PageNumberPagination.page(total: total, page: pageNumber, limit: limit)
        let ascending = account.ascendingOrder[sort] ?? []
        return .jsonOK(
            JSONWriter.document {
                $0.object {
                    $0.key("usage_events")
                    $0.rows(account.rows, SortedPage(ascending: ascending, positions: page.rows, descending: order == "desc"))
                    $0.key("pagination")
                    $0.object {
                        $0.field("page", pageNumber)
                        $0.field("limit", limit)
                        $0.field("total", total)
                        $0.field("total_pages", page.totalPages)
                        $0.field("sort", sort)
                        $0.field("order", order)
                    }
                }
            }, adding: traceID)
    }

    func injectedError(_ status: InjectedStatus) -> ServerResponse {
        Self.error(status.status, status.status.reasonPhrase.lowercased(), traceID: Self.newTraceID())
    }

    /// 32 lowercase hex digits, new for every response.
    static func newTraceID() -> RequestField {
        var random = SeededGenerator.forResponseIDs()
        return RequestField(name: .traceID, value: random.hexadecimalID(), count: 32)
    }

    /// `{"error": M, "trace_id": T}`, with `X-Trace-Id`.
    static func error(_ status: HTTPResponse.Status, _ message: String, traceID: RequestField, headers: HTTPFields = [:])
        -> ServerResponse
    {
        let traceID = traceID.value
        var fields = headers
        fields[.traceID] = traceID
        return .json(
            status,
            JSONWriter.document {
                $0.object {
                    $0.field("error", message)
                    $0.field("trace_id", traceID)
                }
            }, headers: fields)
    }
}

extension SybilionProvider {
    /// The row numbers of a page of rows sorted by a column: `positions` in the ascending
    /// order, or in that order reversed. A collection of its own rather than a lazy map
    /// over the order, whose closure retained and released the order for every row read.
    fileprivate struct SortedPage: RandomAccessCollection {
        let ascending: [Int32]
        let positions: Range<Int>
        let descending: Bool

        var startIndex: Int { positions.lowerBound }
        var endIndex: Int { positions.upperBound }

        subscript(position: Int) -> Int {
            Int(ascending[descending ? ascending.count - 1 - position : position])
        }
    }
}
