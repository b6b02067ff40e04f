/// Where a received JSON value differs from a JSON Schema of the forms the mock's
/// OpenAPI documents use (`JSONSchema`): object fields and whether more are allowed,
/// array items, string patterns and choices, integer ranges, booleans, null, `anyOf`.
///
/// Rows of an array that differ the same way are reported once, at the first such row,
/// with how many rows did: a renamed field is one difference, not one per row.
enum SchemaCheck {
    struct Difference: Equatable, Sendable {
        let path: String
        let expected: String
        let got: String
    }

    static func differences(_ value: StrictJSON, against schema: StrictJSON) -> [Difference] {
        var found: [(difference: Difference, pattern: String)] = []
        var rows: [String: Int] = [:]
        visit(value, schema, path: JSONPath.root.description, pattern: "$") { difference, pattern in
            rows[pattern + difference.expected, default: 0] += 1
            if rows[pattern + difference.expected] == 1 { found.append((difference, pattern)) }
        }
        return found.map { entry in
            let count = rows[entry.pattern + entry.difference.expected] ?? 1
            guard count > 1 else { return entry.difference }
            return Difference(
                path: entry.difference.path, expected: entry.difference.expected,
                got: entry.difference.got + " (and in \(count - 1) more rows of this answer)")
        }
    }

    /// Whether `value` fits `schema` at all (for `anyOf`).
    private static func fits(_ value: StrictJSON, _ schema: StrictJSON) -> Bool {
        var fits = true
        visit(value, schema, path: "$", pattern: "$") { _, _ in fits = false }
        return fits
    }

    private static func visit(
        _ value: StrictJSON, _ schema: StrictJSON, path: String, pattern: String,
        _ report: (Difference, String) -> Void
    ) {
        if let choices = schema["anyOf"]?.arrayItems {
            if !choices.contains(where: { fits(value, $0) }) {
                report(Difference(path: path, expected: describe(schema), got: value.summary), pattern)
            }
            return
        }
        let type = schema["type"]?.stringValue
        switch (type, value) {
        case ("object", .object(let members)):
            let properties = schema["properties"]
            let required = schema["required"]?.arrayItems?.compactMap(\.stringValue) ?? []
            for name in required where !members.contains(where: { $0.key == name }) {
                let expected = properties?[name].map(describe) ?? "a value"
                report(Difference(path: path + "." + name, expected: "field \(name): \(expected)", got: "missing"), pattern + "." + name)
            }
            for member in members {
                let memberPath = path + "." + member.key
                let memberPattern = pattern + "." + member.key
                if let property = properties?[member.key] {
                    visit(member.value, property, path: memberPath, pattern: memberPattern, report)
                } else if schema["additionalProperties"]?.boolValue == false {
                    report(
                        Difference(path: memberPath, expected: "no field \(member.key)", got: "added: \(member.value.summary)"),
                        memberPattern)
                }
            }
        case ("array", .array(let items)):
            guard let itemSchema = schema["items"] else { return }
            for (index, item) in items.enumerated() {
                visit(item, itemSchema, path: path + "[\(index)]", pattern: pattern + "[*]", report)
            }
        case ("string", .string(let text)):
            if let choices = schema["enum"]?.arrayItems?.compactMap(\.stringValue), !choices.contains(text) {
                report(Difference(path: path, expected: describe(schema), got: value.summary), pattern)
            } else if let pattern = schema["pattern"]?.stringValue, (try? Regex(pattern).firstMatch(in: text)) == nil {
                report(Difference(path: path, expected: describe(schema), got: value.summary), pattern)
            }
        case ("integer", .number):
            guard let integer = value.strictInteger else {
                report(Difference(path: path, expected: describe(schema), got: value.summary), pattern)
                return
            }
            let minimum = schema["minimum"]?.strictInteger
            let maximum = schema["maximum"]?.strictInteger
            if minimum.map({ integer < $0 }) ?? false || maximum.map({ integer > $0 }) ?? false {
                report(Difference(path: path, expected: describe(schema), got: value.summary), pattern)
            }
        case ("boolean", .bool), ("null", .null):
            return
        default:
            report(Difference(path: path, expected: describe(schema), got: value.summary), pattern)
        }
    }

    /// A schema in a few words: `integer ≥ 0`, `string matching ^req_…$`, `integer or null`.
    static func describe(_ schema: StrictJSON) -> String {
        if let choices = schema["anyOf"]?.arrayItems { return choices.map(describe).joined(separator: " or ") }
        let type = schema["type"]?.stringValue ?? "any value"
        if let choices = schema["enum"]?.arrayItems?.compactMap(\.stringValue) {
            return choices.count == 1 ? choices[0].debugDescription : "one of " + choices.map(\.debugDescription).joined(separator: ", ")
        }
        if let pattern = schema["pattern"]?.stringValue { return "\(type) matching \(pattern)" }
        switch (schema["minimum"]?.strictInteger, schema["maximum"]?.strictInteger) {
        case (let minimum?, let maximum?): return "\(type) \(minimum)…\(maximum)"
        case (let minimum?, nil): return "\(type) ≥ \(minimum)"
        case (nil, let maximum?): return "\(type) ≤ \(maximum)"
        case (nil, nil): return type
        }
    }
}
