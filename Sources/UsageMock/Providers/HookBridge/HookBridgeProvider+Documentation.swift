/// HookBridge's route as the OpenAPI document describes it; `HookBridgeProvider` serves it.
extension HookBridgeProvider {
    static let limit = QueryParameter.integer("limit", in: 1...24, default: 12, "Months per page")
    static let offset = QueryParameter.integer("offset", in: 0...Int.max, default: 0, "Months to skip, newest first")

    static let requestIDHeader = (name: "X-Request-Id", schema: JSONSchema.string(pattern: "^req_[a-z0-9]{24}$"))
    static let errorSchema = JSONSchema.object([
        ("error", .object([("code", .string), ("message", .string)])),
        ("meta", .object([("request_id", requestIDHeader.schema)])),
    ])

    static let usageHistoryDocumentation = RouteDocumentation(
        summary: "Monthly message usage, newest month first",
        queryParameters: [limit, offset],
        responses: [
            ResponseDocumentation(
                200, "A page of months",
                .object([
                    (
                        "data",
                        .array(
                            .object([
                                ("period_start", .string(pattern: "^[0-9]{4}-[0-9]{2}-01$")),
                                ("period_end", .string(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")),
                                ("message_count", .integer(minimum: 0)), ("overage_count", .integer(minimum: 0)),
                                ("plan_limit", .nullable(.integer(minimum: 0))),
                            ]))
                    ),
                    (
                        "meta",
                        .object([
                            ("request_id", requestIDHeader.schema), ("total", .integer(minimum: 0)),
                            ("limit", .integer(minimum: 1, maximum: 24)),
                            ("offset", .integer(minimum: 0)), ("has_more", .boolean),
                        ])
                    ),
                ]), headers: [requestIDHeader]),
            ResponseDocumentation(
                400, "A parameter is invalid or repeated (code INVALID_REQUEST)", errorSchema, headers: [requestIDHeader]),
            ResponseDocumentation(
                401, "Missing or unknown API key (code UNAUTHORIZED)", errorSchema,
                headers: [requestIDHeader, ("WWW-Authenticate", .string(choices: ["Bearer"]))]),
        ]
    )

    static let methodNotAllowedDocumentation = ResponseDocumentation(
        405, "Another method (code METHOD_NOT_ALLOWED)", errorSchema,
        headers: [requestIDHeader])
}
