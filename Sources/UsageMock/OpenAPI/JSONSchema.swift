/// The JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what a route accepts and
/// answers; only the forms the providers need.
indirect enum JSONSchema: Sendable {
    /// Every property listed is required unless named in `optional`; other properties
    /// are refused unless `openEnded` (a body whose unknown fields are ignored).
    case object([(name: String, schema: JSONSchema)], optional: [String] = [], openEnded: Bool = false)
    case array(JSONSchema)
    case string(pattern: String? = nil, choices: [String]? = nil)
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case boolean
    case nullable(JSONSchema)
    case anyOf([JSONSchema])

    static let string = JSONSchema.string()
    static let integer = JSONSchema.integer()

    func write(to json: inout JSONWriter, description: String? = nil) {
        json.object {
            if let description { $0.field("description", description) }
            switch self {
            case .object(let properties, let optional, let openEnded):
                $0.field("type", "object")
                $0.key("properties")
                $0.object {
                    for property in properties {
                        $0.key(property.name)
                        property.schema.write(to: &$0)
                    }
                }
                $0.key("required")
                $0.array { for property in properties where !optional.contains(property.name) { $0.string(property.name) } }
                $0.field("additionalProperties", openEnded)
            case .array(let items):
                $0.field("type", "array")
                $0.key("items")
                items.write(to: &$0)
            case .string(let pattern, let choices):
                $0.field("type", "string")
                if let pattern { $0.field("pattern", pattern) }
                if let choices {
                    $0.key("enum")
                    $0.array { for choice in choices { $0.string(choice) } }
                }
            case .integer(let minimum, let maximum):
                $0.field("type", "integer")
                if let minimum { $0.field("minimum", minimum) }
                if let maximum { $0.field("maximum", maximum) }
            case .boolean:
                $0.field("type", "boolean")
            case .nullable(let schema):
                $0.key("anyOf")
                $0.array {
                    schema.write(to: &$0)
                    $0.object { $0.field("type", "null") }
                }
            case .anyOf(let schemas):
                $0.key("anyOf")
                $0.array { for schema in schemas { schema.write(to: &$0) } }
            }
        }
    }
}
