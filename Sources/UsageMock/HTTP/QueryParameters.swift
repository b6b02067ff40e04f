/// The query string's parameters in order, repeats kept, so a provider can refuse
/// `limit=1&limit=2` (docs/behaviour.md, common rule 3) instead of silently taking one of them.
public struct QueryParameters: Sendable, Equatable {
    public private(set) var pairs: [(name: String, value: String)]

    /// Parses `a=1&b=&c`. A name without `=` has the empty value. Components that do
    /// not percent-decode are kept as written, so they fail the parameter's own check
    /// and the client hears which parameter was wrong.
    public init(query: Substring) {
        var query = query
        self = query.withUTF8 { QueryParameters(bytes: $0) }
    }

    /// Splits on the ASCII bytes `&` and `=`, not on Characters: cheaper, and a combining
    /// mark after `=` cannot hide the delimiter.
    init(bytes: UnsafeBufferPointer<UInt8>) {
        pairs = []
        guard !bytes.isEmpty else { return }
        // Room for the pairs at once: grown pair by pair, three pairs took three
        // allocations. Up to 16, more than any route reads; a longer query grows.
        pairs.reserveCapacity(min(16, bytes.reduce(1) { $1 == UInt8(ascii: "&") ? $0 + 1 : $0 }))
        var componentStart = 0
        while componentStart < bytes.count {
            let componentEnd = bytes[componentStart...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
            defer { componentStart = componentEnd + 1 }
            guard componentEnd > componentStart else { continue }
            let equals = bytes[componentStart..<componentEnd].firstIndex(of: UInt8(ascii: "="))
            let rawName = UnsafeBufferPointer(rebasing: bytes[componentStart..<(equals ?? componentEnd)])
            let rawValue = UnsafeBufferPointer(rebasing: bytes[(equals.map { $0 + 1 } ?? componentEnd)..<componentEnd])
            let name = PercentDecoding.decode(rawName, plusIsSpace: true) ?? String(decoding: rawName, as: UTF8.self)
            let value = PercentDecoding.decode(rawValue, plusIsSpace: true) ?? String(decoding: rawValue, as: UTF8.self)
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
