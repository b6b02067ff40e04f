/// The query string's parameters in order, repeats kept, so a provider can refuse
/// `limit=1&limit=2` (SPEC.md rule 3) instead of silently taking one of them.
public struct QueryParameters: Sendable, Equatable {
    public private(set) var pairs: [(name: String, value: String)]

    /// Parses `a=1&b=&c`. A name without `=` has the empty value. Components that do
    /// not percent-decode are kept as written, so they fail the parameter's own check
    /// and the client hears which parameter was wrong.
    public init(query: Substring) {
        pairs = []
        // Split on the ASCII bytes `&` and `=`, not on Characters: cheaper, and a
        // combining mark after `=` cannot hide the delimiter. No array of components:
        // this runs on every request.
        var componentStart = query.startIndex
        while componentStart < query.endIndex {
            let componentEnd = query.utf8[componentStart...].firstIndex(of: UInt8(ascii: "&")) ?? query.endIndex
            defer { componentStart = componentEnd < query.endIndex ? query.utf8.index(after: componentEnd) : componentEnd }
            let component = query[componentStart..<componentEnd]
            guard !component.isEmpty else { continue }
            let equals = component.utf8.firstIndex(of: UInt8(ascii: "="))
            let rawName = component[..<(equals ?? component.endIndex)]
            let rawValue = equals.map { component[component.utf8.index(after: $0)...] } ?? ""
            let name = PercentDecoding.decode(rawName, plusIsSpace: true) ?? String(rawName)
            let value = PercentDecoding.decode(rawValue, plusIsSpace: true) ?? String(rawValue)
            pairs.append((name, value))
        }
    }

    /// Every value given for `name`, in order.
    public func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public static func == (lhs: QueryParameters, rhs: QueryParameters) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }
}
