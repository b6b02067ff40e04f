/// Poe's routes as the OpenAPI document describes them; `PoeProvider` serves them.
extension PoeProvider {
    static let limit = QueryParameter.integer("limit", in: 1...100, default: 20, "Entries per page")
    static let startingAfter = QueryParameter.string("starting_after", "The query_id of the last entry of the previous page")

    static let errorSchema = JSONSchema.object([("error", .object([("message", .string), ("type", .string), ("code", .string)]))])
    static let unauthorizedResponse = ResponseDocumentation(401, "Missing or unknown API key", errorSchema)
        .with(header: "WWW-Authenticate", .string(choices: ["Bearer"]))

    static let balanceDocumentation = RouteDocumentation(
        summary: "The account's current point balance",
        responses: [
            ResponseDocumentation(200, "The balance", .object([("current_point_balance", .integer)])),
            unauthorizedResponse,
        ]
    )

    static let pointsHistoryDocumentation = RouteDocumentation(
        summary: "Points spent in the last 30 days, newest first",
        queryParameters: [limit, startingAfter],
        responses: [
            ResponseDocumentation(
                200, "A page of entries",
                .object([
                    ("has_more", .boolean), ("length", .integer(minimum: 0, maximum: 100)),
                    (
                        "data",
                        .array(
                            .object([
                                ("creation_time", .integer), ("bot_name", .string), ("query_id", .string),
                                ("usage_type", .string(choices: PoeSection.usageTypes)), ("cost_points", .integer(minimum: 0)),
                            ]))
                    ),
                ])),
            ResponseDocumentation(400, "A parameter is invalid, repeated, or starting_after names no entry of the window", errorSchema),
            unauthorizedResponse,
        ]
    )

    static let methodNotAllowedDocumentation = ResponseDocumentation(405, "Another method on a Poe path", errorSchema)
}
