/// A coding key for any field name, to see the fields a `CodingKeys` enum would hide.
struct AnyCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension Decoder {
    /// A keyed container that refuses fields outside `Keys`, so a misspelt field in a
    /// scenario is an error with its path rather than silently ignored.
    func strictContainer<Keys: CodingKey & CaseIterable>(keyedBy: Keys.Type) throws -> KeyedDecodingContainer<Keys> {
        let known = Set(Keys.allCases.map(\.stringValue))
        let all = try container(keyedBy: AnyCodingKey.self)
        for key in all.allKeys where !known.contains(key.stringValue) && key.stringValue != "$schema" && key.stringValue != "description" {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: all,
                debugDescription: "unknown field \"\(key.stringValue)\"; expected one of: \(Keys.allCases.map(\.stringValue).joined(separator: ", "))"
            )
        }
        return try container(keyedBy: Keys.self)
    }
}

/// An inclusive range of integers in a generator: `{"min": 1, "max": 100}`.
struct IntRange: Decodable, Sendable {
    let min: Int
    let max: Int

    private enum CodingKeys: String, CodingKey, CaseIterable { case min, max }

    init(from decoder: any Decoder) throws {
        let container = try decoder.strictContainer(keyedBy: CodingKeys.self)
        min = try container.decode(Int.self, forKey: .min)
        max = try container.decode(Int.self, forKey: .max)
        guard min <= max else {
            throw DecodingError.dataCorruptedError(forKey: .max, in: container, debugDescription: "max (\(max)) is below min (\(min))")
        }
    }

    func random(using generator: inout SeededGenerator) -> Int {
        Int.random(in: min...max, using: &generator)
    }
}
