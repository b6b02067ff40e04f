import Testing

@testable import UsageMock

/// A query id kept inline must behave as the String it came from: the same text, the
/// same order, equality and JSON, on both sides of the 23 bytes that fit inline.
@Suite struct PoeQueryIDTests {
    typealias QueryID = PoeSection.QueryID

    static let ids = [
        "", "a", "ab", "ab\0", "abc", "b", "ks3icxw0g7mownzs52", String(repeating: "z", count: 15),
        String(repeating: "z", count: 16), String(repeating: "y", count: 23), String(repeating: "y", count: 24),
        String(repeating: "y", count: 22) + "\u{7F}", "quote \" backslash \\", "tab\tnewline\n", "é", "café", "🙂", "Z",
    ]

    @Test(arguments: ids)
    func keepsItsText(_ id: String) {
        #expect(QueryID(id).description == id)
        #expect(QueryID(id).isEmpty == id.isEmpty)
        QueryID(id).withUTF8Bytes { #expect(Array($0) == Array(id.utf8)) }
    }

    @Test func shortASCIIIsInlineAndTheRestAString() {
        for id in Self.ids {
            let isInline = if case .inline = QueryID(id) { true } else { false }
            #expect(isInline == (id.utf8.count <= 23 && id.utf8.allSatisfy { $0 < 0x80 }), "\(id)")
        }
    }

    @Test func ordersAndComparesAsItsString() {
        #expect(Self.ids.map(QueryID.init).sorted().map(\.description) == Self.ids.sorted())
        for left in Self.ids {
            for right in Self.ids {
                #expect((QueryID(left) == QueryID(right)) == (left == right), "\(left) \(right)")
                #expect((QueryID(left) < QueryID(right)) == (left < right), "\(left) \(right)")
            }
        }
        #expect(Set(Self.ids.map(QueryID.init) + Self.ids.map(QueryID.init)).count == Self.ids.count)
    }

    @Test(arguments: ids)
    func isWrittenAsItsStringIsInJSON(_ id: String) {
        var fromBytes: [UInt8] = []
        QueryID(id).withUTF8Bytes { fromBytes.appendJSONString(utf8: $0) }
        var fromString: [UInt8] = []
        fromString.appendJSONString(id)
        #expect(fromBytes == fromString)
    }

    @Test func generatedIdsAreTheAlphanumericsOfTheSameDraws() {
        var ids = SeededGenerator(seed: 11)
        var strings = SeededGenerator(seed: 11)
        for _ in 0..<100 {
            #expect(QueryID.random(count: 18, using: &ids).description == strings.alphanumerics(18))
        }
    }
}
