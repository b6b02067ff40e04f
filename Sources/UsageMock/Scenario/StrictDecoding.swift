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
                debugDescription:
                    "unknown field \"\(key.stringValue)\"; expected one of: \(Keys.allCases.map(\.stringValue).joined(separator: ", "))"
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
        min = try container.decodeBounded(forKey: .min)
        max = try container.decodeBounded(forKey: .max)
        guard min <= max else {
            throw DecodingError.dataCorruptedError(forKey: .max, in: container, debugDescription: "max (\(max)) is below min (\(min))")
        }
    }

    func random(using generator: inout SeededGenerator) -> Int {
        Int.random(in: min...max, using: &generator)
    }
}

/// The limits every number in a scenario keeps to, so that generating and serving rows
/// never overflows and every client reads the numbers exactly.
enum ScenarioBounds {
    /// Integers beyond 2^53 − 1 lose precision in JavaScript and other clients that read
    /// JSON numbers as doubles.
    static let integers = -9_007_199_254_740_991...9_007_199_254_740_991
    /// 1970-01-01T00:00:00Z through 9999-12-31T23:59:59Z: the instants the providers'
    /// timestamp formats can write.
    static let seconds = 0...253_402_300_799

    /// `value`, refused in the words `validate` uses when it leaves `integers`: for
    /// numbers that runtime changes work out (ids numbered on, running balances).
    static func integer(_ value: Int, at path: JSONPath, _ what: String) throws(ScenarioError) -> Int {
        guard integers.contains(value) else {
            throw path.error("\(what) would be \(value), which is out of range: scenario integers stay within ±\(integers.upperBound)")
        }
        return value
    }
}

extension KeyedDecodingContainer {
    /// An integer within `ScenarioBounds.integers`.
    func decodeBounded(forKey key: Key) throws -> Int {
        let value = try decode(Int.self, forKey: key)
        guard ScenarioBounds.integers.contains(value) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "\(value) is out of range: scenario integers stay within ±\(ScenarioBounds.integers.upperBound)")
        }
        return value
    }

    func decodeBoundedIfPresent(forKey key: Key) throws -> Int? {
        try contains(key) && !decodeNil(forKey: key) ? decodeBounded(forKey: key) : nil
    }
}
