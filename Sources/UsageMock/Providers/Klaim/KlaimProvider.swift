import HTTPServerCore
import HTTPTypes

/// Klaim: `POST /users/{user_id}/credits/usage`, paginated by a key object in the body
/// (docs/behaviour.md, Klaim).
final class KlaimProvider: ServedProvider {
    struct RecordRow: Sendable {
        let userID: String
        /// Unix milliseconds.
        let createdAt: Int
        let creditChange: Int
        let creditBalance: Int
        let sourceType: String
        let description: String
        let typeID: String

        /// `YYYYMMDDHHMMSS_` of a millisecond timestamp, UTC.
        static func typeIDPrefix(_ createdAtMillis: Int) -> String {
            let seconds = createdAtMillis >= 0 ? createdAtMillis / 1000 : (createdAtMillis - 999) / 1000
            return UTCTime.compactTimestamp(seconds: seconds) + "_"
        }

        static func isValidTypeID(_ typeID: String) -> Bool {
            let bytes = Array(typeID.utf8)
            return bytes.count == 20 && bytes[14] == UInt8(ascii: "_")
                && bytes[..<14].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
                && bytes[15...].allSatisfy {
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                }
        }
    }

    /// A user's records newest first, each serialised once, with their keys.
    struct User: Sendable {
        let prefixAppID: String
        let rows: SerializedRows
        /// By `type_id`, which is also how `lastKey` names a row.
        let pagination: CursorPagination

        /// `records` in time order, oldest first.
        init(records: [RecordRow], prefixAppID: String) {
            self.prefixAppID = prefixAppID
            let newestFirst = records.reversed()
            var rows = SerializedRows(keys: ["user_id", "created_at", "credit_change", "credit_balance", "source_type", "description"])
            rows.reserveCapacity(rows: records.count, valueBytesPerRow: 64)
            for record in newestFirst {
                rows.append {
                    $0.value(record.userID)
                    $0.value(record.createdAt)
                    $0.value(record.creditChange)
                    $0.value(record.creditBalance)
                    $0.value(record.sourceType)
                    $0.value(record.description)
                }
            }
            self.rows = rows
            pagination = CursorPagination(cursors: newestFirst.map(\.typeID))
        }
    }

    final class Account: Sendable {
        let users: [String: User]

        init(users: [String: User]) {
            self.users = users
        }
    }

    let name = KlaimSection.providerKey
    let directory: AccountDirectory<Account>

    init(directory: AccountDirectory<Account>) {
        self.directory = directory
    }
    var keys: [String] { directory.keys }

    var accountSummaries: [AccountSummary] {
        directory.summaries(
            { [("users", $0.users.count), ("records", $0.users.values.reduce(0) { $0 + $1.rows.count })] },
            userIDs: { $0.users.keys.sorted() })
    }

    var routes: RouteGroup {
        RouteGroup(
            routes: [
                Route(.post, "/users/{user_id}/credits/usage", documentation: Self.usageDocumentation) { [directory] request in
                    guard let account = directory.account(for: request) else {
                        return Self.unauthorized
                    }
                    let body: RequestBody
                    do throws(ParameterError) {
                        body = try RequestBody(request.body)
                    } catch {
                        return Self.message(.badRequest, error.message).explained(error.reason)
                    }
                    var response: ServerResponse
                    if let userID = request.pathParameters["user_id"], let user = account.users[userID] {
                        response = Self.usage(of: user, body)
                    } else {
                        response = Self.message(.notFound, "Can not find user with the given user_id.")
                            .explained("no user with this user_id in the key's account")
                    }
                    response.warn(body.ignoredFields.map { "unknown body field \($0) ignored" })
                    return response
                }
            ],
            methodNotAllowed: { request in
                Self.message(.methodNotAllowed, "Method \(request.method.rawValue) is not allowed on \(request.target.rawPath)")
            },
            methodNotAllowedDocumentation: Self.methodNotAllowedDocumentation
        )
    }

    /// The request body: empty, or `{"limit": 1…100, "starting_after": {"prefix_app_id", "type_id"}}`
    /// (the range and default of `limit` are `KlaimProvider.limit`'s).
    struct RequestBody: Equatable {
        var limit = KlaimProvider.limit.defaultValue
        var startingAfter: (prefixAppID: String, typeID: String)?
        /// Fields Klaim ignores (a misspelt `limt`), in the order sent.
        var ignoredFields: [String] = []

        static func == (lhs: RequestBody, rhs: RequestBody) -> Bool {
            lhs.limit == rhs.limit && lhs.startingAfter?.prefixAppID == rhs.startingAfter?.prefixAppID
                && lhs.startingAfter?.typeID == rhs.startingAfter?.typeID
        }

        init(limit: Int = KlaimProvider.limit.defaultValue, startingAfter: (prefixAppID: String, typeID: String)? = nil) {
            self.limit = limit
            self.startingAfter = startingAfter
        }

        init(_ bytes: [UInt8]) throws(ParameterError) {
            guard bytes.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return }
            let json: StrictJSON
            do {
                json = try StrictJSON.parse(bytes)
            } catch {
                throw ParameterError(name: "body", problem: .invalid("is not valid JSON: \(error.reason) at \(error.location(in: bytes))"))
            }
            guard case .object(let members) = json else { throw ParameterError(name: "body", problem: .invalid("must be a JSON object")) }
            for member in members {
                let value = member.value
                switch member.key {
                case KlaimProvider.limit.name:
                    guard case .number(let text) = value else { throw ParameterError(name: "limit", problem: .notAnInteger) }
                    limit = try parseInteger("limit", text, in: KlaimProvider.limit.range)
                case "starting_after":
                    guard case .object(let cursor) = value, cursor.count == 2,
                        let prefix = cursor.first(where: { $0.key == "prefix_app_id" }), case .string(let prefixAppID) = prefix.value,
                        let type = cursor.first(where: { $0.key == "type_id" }), case .string(let typeID) = type.value
                    else {
                        throw ParameterError(
                            name: "starting_after",
                            problem: .invalid("must be an object with string fields prefix_app_id and type_id, as lastKey"))
                    }
                    startingAfter = (prefixAppID, typeID)
                default:
                    ignoredFields.append(member.key)
                }
            }
        }
    }

    private static func usage(of user: User, _ body: RequestBody) -> ServerResponse {
        var cursor: String?
        if let startingAfter = body.startingAfter {
            guard startingAfter.prefixAppID == user.prefixAppID else {
                return message(.badRequest, "starting_after.prefix_app_id does not belong to this app")
                    .explained("invalid parameter starting_after: prefix_app_id of another app")
            }
            cursor = startingAfter.typeID
        }
        guard let page = user.pagination.page(after: cursor, limit: body.limit) else {
            return message(.badRequest, "starting_after names no credit usage record of this user")
                .explained("invalid parameter starting_after: no such record of this user")
        }
        return .jsonOK(
            JSONWriter.document {
                $0.object {
                    $0.field("message", "fetch resource successfully")
                    $0.key("data")
                    $0.rows(user.rows, page.rows)
                    if page.hasMore, let last = page.rows.last {
                        $0.key("lastKey")
                        $0.object {
                            $0.field("prefix_app_id", user.prefixAppID)
                            $0.field("type_id", user.pagination.cursor(at: last))
                        }
                    }
                }
            })
    }

    func injectedError(_ status: InjectedStatus) -> ServerResponse {
        Self.message(status.status, status.status.reasonPhrase)
    }

    /// `{"message": M}`
    static let unauthorized = ServerResponse(
        PreparedResponse(message(.unauthorized, "Unauthorized", headers: [.wwwAuthenticate: "Bearer"])))

    static func message(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> ServerResponse {
        .json(status, JSONWriter.document { $0.object { $0.field("message", message) } }, headers: headers)
    }
}
