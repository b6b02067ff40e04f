/// Klaim's route as the OpenAPI document describes it; `KlaimProvider` serves it.
extension KlaimProvider {
    static let messageSchema = JSONSchema.object([("message", .string)])
    static let cursorSchema = JSONSchema.object([("prefix_app_id", .string), ("type_id", .string)])
    /// The body's `limit`, which `RequestBody` reads.
    static let limit = BodyInteger(name: "limit", range: 1...100, defaultValue: 20)

    static let usageDocumentation = RouteDocumentation(
        summary: "A user's credit usage records, newest first",
        pathParameters: [("user_id", "The user whose records to list")],
        requestBody: .object(
            [(limit.name, limit.schema), ("starting_after", cursorSchema)],
            optional: ["limit", "starting_after"], openEnded: true),
        responses: [
            ResponseDocumentation(
                200, "A page of records; lastKey when more follow",
                .object(
                    [
                        ("message", .string(choices: ["fetch resource successfully"])),
                        (
                            "data",
                            .array(
                                .object([
                                    ("user_id", .string), ("created_at", .integer), ("credit_change", .integer),
                                    ("credit_balance", .integer),
                                    ("source_type", .string), ("description", .string),
                                ]))
                        ),
                        ("lastKey", cursorSchema),
                    ], optional: ["lastKey"])),
            ResponseDocumentation(
                400, "The body is not JSON, a field is invalid, or starting_after names no record of this user", messageSchema),
            ResponseDocumentation(
                401, "Missing or unknown API key", messageSchema, headers: [("WWW-Authenticate", .string(choices: ["Bearer"]))]),
            ResponseDocumentation(404, "No such user in this account", messageSchema),
            MockErrorDocumentation.tooLarge,
        ]
    )

    static let methodNotAllowedDocumentation = ResponseDocumentation(405, "Another method", messageSchema)
}
