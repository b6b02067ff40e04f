/// Why a query or body parameter was refused, worded for the provider's 400 message.
struct ParameterError: Error, Equatable {
    enum Problem: Equatable {
        case repeated
        case notAnInteger
        case outOfRange(ClosedRange<Int>)
        case notOneOf([String])
        case invalid(String)
    }

    let name: String
    let problem: Problem

    /// `limit must be an integer between 1 and 100`, and the like.
    var message: String {
        switch problem {
        case .repeated:
            return "\(name) must be given at most once"
        case .notAnInteger:
            return "\(name) must be an integer"
        case .outOfRange(let range):
            return "\(name) must be an integer between \(range.lowerBound) and \(range.upperBound)"
        case .notOneOf(let choices):
            return "\(name) must be one of: \(choices.joined(separator: ", "))"
        case .invalid(let reason):
            return "\(name) \(reason)"
        }
    }
}

/// Parses an integer as common rule 3 of docs/behaviour.md wants it: ASCII decimal digits with an optional
/// leading `-`, within Int64. Stricter than `Int(_:)`, which also takes a leading `+`.
func parseStrictInteger(_ text: some StringProtocol) -> Int? {
    let utf8 = text.utf8
    let digits = utf8.first == UInt8(ascii: "-") ? utf8.dropFirst() : utf8[...]
    guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
    return Int(text)
}

/// `text` as an integer within `range` (docs/behaviour.md, common rule 3). Digits beyond Int64 are an
/// integer out of range, not "not an integer", so the message gives the range.
func parseInteger(_ name: String, _ text: some StringProtocol, in range: ClosedRange<Int>) throws(ParameterError) -> Int {
    guard let value = parseStrictInteger(text) else {
        let digits = text.utf8.first == UInt8(ascii: "-") ? text.utf8.dropFirst() : text.utf8[...]
        let isInteger = !digits.isEmpty && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        throw ParameterError(name: name, problem: isInteger ? .outOfRange(range) : .notAnInteger)
    }
    guard range.contains(value) else { throw ParameterError(name: name, problem: .outOfRange(range)) }
    return value
}

extension QueryParameters {
    /// The single value of `name`, nil when absent. Looked for in place: a page asks
    /// for two to four parameters, and `values(_:)` makes two arrays each time.
    func single(_ name: String) throws(ParameterError) -> String? {
        var found: String?
        for pair in pairs where pair.name == name {
            guard found == nil else { throw ParameterError(name: name, problem: .repeated) }
            found = pair.value
        }
        return found
    }

    /// The single integer value of `name` within `range`; `defaultValue` when absent.
    func integer(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int) throws(ParameterError) -> Int {
        guard let text = try single(name) else { return defaultValue }
        return try parseInteger(name, text, in: range)
    }

    /// The single value of `name`, one of `choices`; `defaultValue` when absent.
    func choice(_ name: String, in choices: [String], default defaultValue: String) throws(ParameterError) -> String {
        guard let text = try single(name) else { return defaultValue }
        guard choices.contains(text) else { throw ParameterError(name: name, problem: .notOneOf(choices)) }
        return text
    }
}
