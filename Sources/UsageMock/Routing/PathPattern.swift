/// A route's path, such as `/users/{user_id}/credits/usage`: literal segments match
/// exactly (after percent-decoding), `{name}` segments match any one non-empty segment.
public struct PathPattern: Sendable, Equatable, CustomStringConvertible {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    let segments: [Segment]
    public let description: String

    public init(_ pattern: String) {
        description = pattern
        segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.first == "{", part.last == "}" { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
    }

    /// The named segments' values when the target's path matches, else nil. A trailing
    /// slash is an extra empty segment, so `/usage/current_balance/` does not match
    /// (docs/behaviour.md, common rule 7). The path is read in place: a segment is
    /// decoded only when it has a `%` or is a named one.
    func match(_ target: RequestTarget) -> [String: String]? {
        guard target.segmentCount == segments.count else { return nil }
        var parameters: [String: String] = [:]
        var index = 0
        let matched = target.forEachSegment { segment in
            defer { index += 1 }
            guard index < segments.count else { return false }
            switch segments[index] {
            case .literal(let literal):
                return RequestTarget.segment(segment, is: literal)
            case .parameter(let name):
                guard !segment.isEmpty else { return false }
                parameters[name] = RequestTarget.decoded(segment)
                return true
            }
        }
        guard matched, index == segments.count else { return nil }
        return parameters
    }
}
