extension PoeSection {
    /// An entry's `query_id`. An id of up to 23 ASCII bytes (every generated id has 18)
    /// is kept in the value itself: as a String it was a heap object of its own, and a
    /// million of them (allocated, reference counted once the sort had scattered them
    /// through memory, then freed) took a quarter of the CPU of loading
    /// `Scenarios/large.json`.
    ///
    /// Equal, hashed and ordered as its String is, but for one case: a non-ASCII id that
    /// Unicode calls equivalent to an ASCII one (U+212A KELVIN SIGN and `K`) is a
    /// different id, as its bytes, and so its cursor, are.
    enum QueryID: Hashable, Sendable, ContiguousUTF8 {
        /// The id's bytes in memory order, zero after its end, and its length in byte 23.
        case inline(UInt64, UInt64, UInt64)
        /// Any other id.
        case string(String)

        private static let inlineCapacity = 23

        init(_ string: String) {
            var string = string
            self = string.withUTF8(Self.init(ascii:)) ?? .string(string)
        }

        /// `count` lowercase letters and digits from `random`, drawn as
        /// `SeededGenerator.alphanumerics(_:)` draws them; `count` is at most 23.
        static func random(count: Int, using random: inout SeededGenerator) -> Self {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { characters in
                for index in 0..<count { characters[index] = random.alphanumeric() }
                return Self(ascii: UnsafeBufferPointer(characters))!
            }
        }

        /// Nil unless `bytes` are ASCII and fit inline.
        private init?(ascii bytes: UnsafeBufferPointer<UInt8>) {
            guard bytes.count <= Self.inlineCapacity, bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &words) { words in
                words.copyMemory(from: UnsafeRawBufferPointer(bytes))
                words[Self.inlineCapacity] = UInt8(bytes.count)
            }
            self = .inline(words.0, words.1, words.2)
        }

        var isEmpty: Bool { self == .inline(0, 0, 0) }

        func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            switch self {
            case .inline(let first, let second, let third):
                withUnsafeBytes(of: (first, second, third)) { words in
                    words.withMemoryRebound(to: UInt8.self) { bytes in
                        body(UnsafeBufferPointer(rebasing: bytes[..<Int(bytes[Self.inlineCapacity])]))
                    }
                }
            case .string(var string):
                string.withUTF8(body)
            }
        }
    }
}

extension PoeSection.QueryID: Comparable {
    /// String order. Two inline ids compare their bytes, which for ASCII is String order:
    /// as big-endian numbers, the words compare as their bytes do, and a shorter id,
    /// zero past its end and with the smaller length last, comes before the ids it starts.
    static func < (left: Self, right: Self) -> Bool {
        if case .inline(let l0, let l1, let l2) = left, case .inline(let r0, let r1, let r2) = right {
            return (UInt64(bigEndian: l0), UInt64(bigEndian: l1), UInt64(bigEndian: l2))
                < (UInt64(bigEndian: r0), UInt64(bigEndian: r1), UInt64(bigEndian: r2))
        }
        return left.description < right.description
    }
}

extension PoeSection.QueryID: CustomStringConvertible {
    var description: String {
        if case .string(let string) = self { return string }
        return withUTF8Bytes { String(decoding: $0, as: UTF8.self) }
    }
}
