/// Sybilion's route as the OpenAPI document describes it; `SybilionProvider` serves it.
extension SybilionProvider {
    static let page = QueryParameter.integer("page", in: 1...Int.max, default: 1, "Page number, from 1")
    static let limit = QueryParameter.integer("limit", in: 1...200, default: 50, "Events per page")
    static let sort = QueryParameter.choice("sort", sortColumns, default: "id", "Column to sort by (ties broken by id)")
    static let order = QueryParameter.choice("order", ["asc", "desc"], default: "desc", "Sort direction")

    static let traceIDHeader = (name: "X-Trace-Id", schema: JSONSchema.string(pattern: "^[0-9a-f]{32}$"))
    static let errorSchema = JSONSchema.object([("error", .string), ("trace_id", traceIDHeader.schema)])

    static let usageDocumentation = RouteDocumentation(
        summary: "Usage events, one page",
        queryParameters: [page, limit, sort, order],
        responses: [
            ResponseDocumentation(
                200, "A page of events",
                .object([
                    (
                        "usage_events",
                        .array(
                            .object([
                                ("id", .integer), ("endpoint", .nullable(.string)), ("units", .integer(minimum: 0)),
                                ("credits_charged", .integer(minimum: 0)), ("eur_cents_charged", .integer(minimum: 0)),
                                ("created_at", .string(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")),
                                (
                                    "async_job_id",
                                    .nullable(.string(pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))
                                ),
                            ]))
                    ),
                    (
                        "pagination",
                        .object([
                            ("page", .integer(minimum: 1)), ("limit", .integer(minimum: 1, maximum: 200)), ("total", .integer(minimum: 0)),
                            ("total_pages", .integer(minimum: 0)), ("sort", .string(choices: sortColumns)),
                            ("order", .string(choices: ["asc", "desc"])),
                        ])
                    ),
                ]), headers: [traceIDHeader]),
            ResponseDocumentation(400, "A parameter is invalid or repeated", errorSchema, headers: [traceIDHeader]),
            ResponseDocumentation(
                401, "Missing or unknown API token", errorSchema,
                headers: [traceIDHeader, ("WWW-Authenticate", .string(choices: ["Bearer"]))]),
        ]
    )

    static let methodNotAllowedDocumentation = ResponseDocumentation(405, "Another method", errorSchema, headers: [traceIDHeader])
}
