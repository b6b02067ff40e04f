/// Reading and writing parsed answers: fields by name, and the value written back
/// exactly as it was received (numbers as spelt), so recorded rows are the API's own.
extension StrictJSON {
    subscript(key: String) -> StrictJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    var arrayItems: [StrictJSON]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The value as an integer as the contract reads them (digits, optional `-`, within Int64).
    var strictInteger: Int? {
        if case .number(let text) = self { return parseStrictInteger(text) }
        return nil
    }

    /// What a report shows of a received value: its JSON type and, for scalars, the value.
    var summary: String {
        switch self {
        case .object: "object"
        case .array(let items): "array of \(items.count)"
        case .string(let text): "string " + (text.count > 40 ? String(text.prefix(40)) + "…" : text).debugDescription
        case .number(let text): (strictInteger != nil ? "integer " : "number ") + text
        case .bool(let value): "boolean \(value)"
        case .null: "null"
        }
    }

    /// The same object without the field `key`, or with `value` under it (appended when new).
    func setting(_ key: String, _ value: StrictJSON?) -> StrictJSON {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            if let value { members[index] = Member(key: key, value: value) } else { members.remove(at: index) }
        } else if let value {
            members.append(Member(key: key, value: value))
        }
        return .object(members)
    }

    /// An object with its fields in the order given.
    static func object(_ fields: KeyValuePairs<String, StrictJSON>) -> StrictJSON {
        .object(fields.map { Member(key: $0.key, value: $0.value) })
    }

    /// Compact JSON, except that an object or array holding objects or arrays gets one
    /// member per line: a recorded scenario reads as one row per line.
    func written(indent: String = "") -> [UInt8] {
        let inner = indent + "  "
        switch self {
        case .object(let members) where members.contains(where: \.value.isContainer):
            var out: [UInt8] = Array("{\n".utf8)
            for (index, member) in members.enumerated() {
                out +=
                    Array(inner.utf8) + JSONWriter.document { $0.string(member.key) } + Array(": ".utf8)
                    + member.value.written(indent: inner)
                out += Array((index == members.count - 1 ? "\n" : ",\n").utf8)
            }
            return out + Array((indent + "}").utf8)
        case .array(let items) where items.contains(where: \.isContainer):
            var out: [UInt8] = Array("[\n".utf8)
            for (index, item) in items.enumerated() {
                out += Array(inner.utf8) + item.written(indent: inner)
                out += Array((index == items.count - 1 ? "\n" : ",\n").utf8)
            }
            return out + Array((indent + "]").utf8)
        default:
            return JSONWriter.document { $0.value(self) }
        }
    }

    private var isContainer: Bool {
        switch self {
        case .object, .array: true
        default: false
        }
    }
}

extension JSONWriter {
    mutating func value(_ json: StrictJSON) {
        switch json {
        case .object(let members):
            object {
                for member in members {
                    $0.key(escaping: member.key)
                    $0.value(member.value)
                }
            }
        case .array(let items):
            array { for item in items { $0.value(item) } }
        case .string(let text): string(text)
        case .number(let text): raw(Array(text.utf8))
        case .bool(let value): bool(value)
        case .null: null()
        }
    }
}
