import HTTPServerCore
import HTTPTypes

/// Poe: `GET /usage/current_balance` and `GET /usage/points_history` (docs/behaviour.md, Poe).
final class PoeProvider: ServedProvider {
    /// An account as served: its balance and the entries inside the 30-day window,
    /// newest first, each serialised once.
    final class Account: Sendable {
        /// The balance's answer, made with the account.
        let balance: PreparedResponse
        let rows: SerializedRows
        let pagination: CursorPagination

        init(balance: Int, entries: consuming [PoeSection.Entry], clockMicros: Int) {
            self.balance = PreparedResponse(.json(.ok, JSONWriter.document { $0.object { $0.field("current_point_balance", balance) } }))
            let window = (clockMicros - 30 * 86_400 * 1_000_000 + 1)...clockMicros
            // Filtered in place: the entries are handed over, not copied.
            var visible = consume entries
            visible.removeAll { !window.contains($0.creationTime) }
            // Sorted in place, fields compared one by one: a tuple per comparison copied
            // (retained) the query ids, most of sorting a million entries.
            visible.sort { $0.creationTime != $1.creationTime ? $0.creationTime > $1.creationTime : $0.queryID > $1.queryID }
            var rows = SerializedRows(keys: ["creation_time", "bot_name", "query_id", "usage_type", "cost_points"])
            rows.reserveCapacity(rows: visible.count, valueBytesPerRow: 64)
            for entry in visible {
                rows.append {
                    $0.value(entry.creationTime)
                    $0.value(entry.botName)
                    $0.value(entry.queryID)
                    $0.value(entry.usageType)
                    $0.value(entry.costPoints)
                }
            }
            self.rows = rows
            pagination = CursorPagination(cursors: visible.lazy.map(\.queryID))
        }
    }

    let name = PoeSection.providerKey
    let directory: AccountDirectory<Account>

    init(directory: AccountDirectory<Account>) {
        self.directory = directory
    }
    var keys: [String] { directory.keys }

    var accountSummaries: [AccountSummary] {
        directory.summaries { [("entries in window", $0.rows.count)] }
    }

    var routes: RouteGroup {
        RouteGroup(
            routes: [
                Route(.get, "/usage/current_balance", documentation: Self.balanceDocumentation) { [directory] request in
                    guard let account = directory.account(for: request) else { return Self.unauthorized }
                    return ServerResponse(account.balance)
                },
                Route(.get, "/usage/points_history", documentation: Self.pointsHistoryDocumentation) { [directory] request in
                    guard let account = directory.account(for: request) else { return Self.unauthorized }
                    return Self.pointsHistory(account, request.target.query)
                },
            ],
            methodNotAllowed: { request in
                Self.error(
                    .methodNotAllowed, type: "invalid_request_error", code: "method_not_allowed",
                    message: "Method \(request.method.rawValue) is not allowed on \(request.target.rawPath)")
            },
            methodNotAllowedDocumentation: Self.methodNotAllowedDocumentation
        )
    }

    private static func pointsHistory(_ account: Account, _ query: QueryParameters) -> ServerResponse {
        let page: CursorPagination.Page
        do throws(ParameterError) {
            let limit = try query.integer(Self.limit)
            let cursor = try query.single(Self.startingAfter.name)
            guard let found = account.pagination.page(after: cursor, limit: limit) else {
                throw ParameterError(name: "starting_after", problem: .invalid("must be the query_id of an entry from the last 30 days"))
            }
            page = found
        } catch {
            return Self.error(
                .badRequest, type: "invalid_request_error", code: "invalid_parameter", message: "Invalid parameter: \(error.message)"
            )
            .explained(error.reason)
        }
        return .jsonOK(
            JSONWriter.document {
                $0.object {
                    $0.field("has_more", page.hasMore)
                    $0.field("length", page.rows.count)
                    $0.key("data")
                    $0.rows(account.rows, page.rows)
                }
            })
    }

    /// Poe documents a 402 when the balance is too low; 429/500/503 use the error types
    /// of its general error guide.
    var injectableStatuses: [InjectedStatus] { [.paymentRequired] + InjectedStatus.common }

    func injectedError(_ status: InjectedStatus) -> ServerResponse {
        switch status {
        case .paymentRequired:
            Self.error(
                status.status, type: "insufficient_credits", code: "insufficient_balance",
                message: "Insufficient point balance to complete this request")
        case .tooManyRequests:
            Self.error(.tooManyRequests, type: "rate_limit_error", code: "rate_limit_exceeded", message: "Rate limit exceeded")
        case .internalServerError:
            Self.error(.internalServerError, type: "server_error", code: "internal_error", message: "Internal server error")
        case .serviceUnavailable:
            Self.error(
                .serviceUnavailable, type: "service_unavailable", code: "service_unavailable", message: "Service temporarily unavailable")
        }
    }

    static let unauthorized = ServerResponse(
        PreparedResponse(
            error(
                .unauthorized, type: "authentication_error", code: "invalid_api_key",
                message: "Invalid API key", headers: [.wwwAuthenticate: "Bearer"])))

    /// `{"error":{"message":M,"type":T,"code":C}}`
    static func error(_ status: HTTPResponse.Status, type: String, code: String, message: String, headers: HTTPFields = [:])
        -> ServerResponse
    {
        .json(
            status,
            JSONWriter.document {
                $0.object {
                    $0.key("error")
                    $0.object {
                        $0.field("message", message)
                        $0.field("type", type)
                        $0.field("code", code)
                    }
                }
            }, headers: headers)
    }
}
