import HTTPServerCore
import HTTPTypes

/// HookBridge: `GET /v1/billing/usage-history`, offset-paginated months (docs/behaviour.md, HookBridge).
final class HookBridgeProvider: ServedProvider {
    /// One calendar month (UTC) of usage.
    struct MonthRow: Sendable {
        let year: Int
        let month: Int
        let messageCount: Int
        let planLimit: Int?

        /// Months since year 0, for ordering and duplicate checks.
        var monthIndex: Int { year * 12 + month - 1 }
        var periodStart: String { UTCTime.date(year: year, month: month, day: 1) }
        var periodEnd: String { UTCTime.date(year: year, month: month, day: UTCTime.daysInMonth(year: year, month: month)) }
        /// `max(0, message_count − plan_limit)`, 0 when unlimited.
        var overageCount: Int { planLimit.map { max(0, messageCount - $0) } ?? 0 }
    }

    /// An account's months, newest first, each serialised once.
    final class Account: Sendable {
        let rows: SerializedRows

        init(months: [MonthRow]) {
            var rows = SerializedRows(keys: ["period_start", "period_end", "message_count", "overage_count", "plan_limit"])
            for month in months {
                rows.append {
                    $0.value(month.periodStart)
                    $0.value(month.periodEnd)
                    $0.value(month.messageCount)
                    $0.value(month.overageCount)
                    $0.value(month.planLimit)
                }
            }
            self.rows = rows
        }
    }

    let name = HookBridgeSection.providerKey
    let directory: AccountDirectory<Account>

    init(directory: AccountDirectory<Account>) {
        self.directory = directory
    }
    var keys: [String] { directory.keys }

    var accountSummaries: [AccountSummary] {
        directory.summaries { [("months", $0.rows.count)] }
    }

    var routes: RouteGroup {
        RouteGroup(
            routes: [
                Route(.get, "/v1/billing/usage-history", documentation: Self.usageHistoryDocumentation) { [directory] request in
                    let requestID = Self.newRequestID()
                    guard let account = directory.account(for: request) else {
                        return Self.error(
                            .unauthorized, code: "UNAUTHORIZED", message: "Invalid or missing API key",
                            requestID: requestID, headers: [.wwwAuthenticate: "Bearer"])
                    }
                    return Self.usageHistory(account, request.target.query, requestID: requestID)
                }
            ],
            methodNotAllowed: { request in
                Self.error(
                    .methodNotAllowed, code: "METHOD_NOT_ALLOWED",
                    message: "Method \(request.method.rawValue) is not allowed on \(request.target.rawPath)", requestID: Self.newRequestID()
                )
            },
            methodNotAllowedDocumentation: Self.methodNotAllowedDocumentation
        )
    }

    private static func usageHistory(_ account: Account, _ query: QueryParameters, requestID: RequestField) -> ServerResponse {
        let limit: Int
        let offset: Int
        do throws(ParameterError) {
            limit = try query.integer(Self.limit)
            offset = try query.integer(Self.offset)
        } catch {
            return Self.error(.badRequest, code: "INVALID_REQUEST", message: error.message, requestID: requestID).explained(error.reason)
        }
        let page = OffsetPagination.page(total: account.rows.count, offset: offset, limit: limit)
        return .jsonOK(
            JSONWriter.document {
                $0.object {
                    $0.key("data")
                    $0.rows(account.rows, page.rows)
                    $0.key("meta")
                    $0.object {
                        $0.field("request_id", requestID)
                        $0.field("total", account.rows.count)
                        $0.field("limit", limit)
                        $0.field("offset", offset)
                        $0.field("has_more", page.hasMore)
                    }
                }
            }, adding: requestID)
    }

    func injectedError(_ status: InjectedStatus) -> ServerResponse {
        // The official SDK knows 429 as RATE_LIMIT_EXCEEDED; the 5xx codes follow its style.
        let (code, message) =
            switch status {
            case .tooManyRequests: ("RATE_LIMIT_EXCEEDED", "Rate limit exceeded")
            case .serviceUnavailable: ("SERVICE_UNAVAILABLE", "Service temporarily unavailable")
            case .internalServerError, .paymentRequired: ("INTERNAL_ERROR", "Internal server error")
            }
        return Self.error(status.status, code: code, message: message, requestID: Self.newRequestID())
    }

    /// `req_` and 24 lowercase alphanumerics, new for every response: 12 base-36
    /// digits from each of two random words (36^12 < 2^64).
    static func newRequestID() -> RequestField {
        var random = SeededGenerator.forResponseIDs()
        var id = InlineArray<32, UInt8>(repeating: 0)
        (id[0], id[1], id[2], id[3]) = (UInt8(ascii: "r"), UInt8(ascii: "e"), UInt8(ascii: "q"), UInt8(ascii: "_"))
        for half in 0..<2 {
            var word = random.next()
            for index in 0..<12 {
                let digit = UInt8(word % 36)  // a-z, then 0-9
                id[4 + half * 12 + index] = digit < 26 ? UInt8(ascii: "a") + digit : UInt8(ascii: "0") + digit - 26
                word /= 36
            }
        }
        return RequestField(name: .requestID, value: id, count: 28)
    }

    /// `{"error":{"code":C,"message":M},"meta":{"request_id":R}}`, with `X-Request-Id`.
    static func error(_ status: HTTPResponse.Status, code: String, message: String, requestID: RequestField, headers: HTTPFields = [:])
        -> ServerResponse
    {
        let requestID = requestID.value
        var fields = headers
        fields[.requestID] = requestID
        return .json(
            status,
            JSONWriter.document {
                $0.object {
                    $0.key("error")
                    $0.object {
                        $0.field("code", code)
                        $0.field("message", message)
                    }
                    $0.key("meta")
                    $0.object { $0.field("request_id", requestID) }
                }
            }, headers: fields)
    }
}
