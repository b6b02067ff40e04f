import Testing

@testable import UsageMock

/// The ids a response carries (HookBridge `req_…`, Sybilion trace ids): their shape,
/// and the digits of the seeded sequence they spell.
@Suite struct ResponseIDTests {
    @Test func hexadecimalWordsAreEachWordsSixteenDigits() {
        var reference = SeededGenerator(seed: 42)
        var generator = SeededGenerator(seed: 42)
        let expected = (0..<3).map { _ in
            let digits = String(reference.next(), radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        #expect(generator.hexadecimal(words: 3) == expected.joined())
    }

    @Test func aSmallWordKeepsItsLeadingZeros() throws {
        // The first seed whose first word is below 2^56: its text starts with two zeros.
        let seed = try #require((UInt64(0)..<10_000).first { SeededGenerator.firstWord(seed: $0) < 1 << 56 })
        var generator = SeededGenerator(seed: seed)
        var reference = SeededGenerator(seed: seed)
        let text = generator.hexadecimal(words: 1)
        #expect(text.hasPrefix("00"))
        #expect(UInt64(text, radix: 16) == reference.next())
    }

    @Test func idsHaveTheProvidersShapes() {
        #expect(SybilionProvider.newTraceID().wholeMatch(of: /[0-9a-f]{32}/) != nil)
        #expect(HookBridgeProvider.newRequestID().wholeMatch(of: /req_[a-z0-9]{24}/) != nil)
        #expect(SybilionProvider.newTraceID() != SybilionProvider.newTraceID())
    }
}

extension SeededGenerator {
    fileprivate static func firstWord(seed: UInt64) -> UInt64 {
        var generator = SeededGenerator(seed: seed)
        return generator.next()
    }
}
