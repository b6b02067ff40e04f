/// A JSON Schema (2020-12, as OpenAPI 3.1 uses it) of what a route accepts or answers,
/// written out as JSON when built; only the forms the providers need.
///
/// Kept as bytes rather than as an indirect enum: the documentation values are
/// statics that live for the whole process, and enum payloads whose pointers carry tag
/// bits are invisible to the leak sanitizer, which then reports them at exit.
struct JSONSchema: Sendable {
    let json: [UInt8]
    /// An object's property names, for naming body fields sent in the wrong place.
    let propertyNames: [String]

    private init(propertyNames: [String] = [], _ body: (inout JSONWriter) -> Void) {
        json = JSONWriter.document { $0.object(body) }
        self.propertyNames = propertyNames
    }

    /// Every property listed is required unless named in `optional`; other properties
    /// are refused unless `openEnded` (a body whose unknown fields are ignored).
    static func object(_ properties: [(name: String, schema: JSONSchema)], optional: [String] = [], openEnded: Bool = false) -> JSONSchema {
        JSONSchema(propertyNames: properties.map(\.name)) {
            $0.field("type", "object")
            $0.key("properties")
            $0.object {
                for property in properties {
                    $0.key(escaping: property.name)
                    $0.raw(property.schema.json)
                }
            }
            $0.key("required")
            $0.array { for property in properties where !optional.contains(property.name) { $0.string(property.name) } }
            $0.field("additionalProperties", openEnded)
        }
    }

    static func array(_ items: JSONSchema) -> JSONSchema {
        JSONSchema {
            $0.field("type", "array")
            $0.key("items")
            $0.raw(items.json)
        }
    }

    static func string(pattern: String? = nil, choices: [String]? = nil) -> JSONSchema {
        JSONSchema {
            $0.field("type", "string")
            if let pattern { $0.field("pattern", pattern) }
            if let choices {
                $0.key("enum")
                $0.array { for choice in choices { $0.string(choice) } }
            }
        }
    }

    static func integer(minimum: Int? = nil, maximum: Int? = nil, default value: Int? = nil) -> JSONSchema {
        JSONSchema {
            $0.field("type", "integer")
            if let minimum { $0.field("minimum", minimum) }
            if let maximum { $0.field("maximum", maximum) }
            if let value { $0.field("default", value) }
        }
    }

    static func nullable(_ schema: JSONSchema) -> JSONSchema { anyOf([schema, JSONSchema { $0.field("type", "null") }]) }

    static func anyOf(_ schemas: [JSONSchema]) -> JSONSchema {
        JSONSchema {
            $0.key("anyOf")
            $0.array { for schema in schemas { $0.raw(schema.json) } }
        }
    }

    static let string = JSONSchema.string()
    static let integer = JSONSchema.integer()
    static let boolean = JSONSchema { $0.field("type", "boolean") }
}
