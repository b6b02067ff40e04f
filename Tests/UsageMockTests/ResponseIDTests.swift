import Testing

@testable import UsageMock

/// The ids a response carries (HookBridge `req_…`, Sybilion trace ids): their shape,
/// and the digits of the seeded sequence they spell.
@Suite struct ResponseIDTests {
    @Test func aHexadecimalIDIsTwoWordsOfSixteenDigits() {
        var reference = SeededGenerator(seed: 42)
        var generator = SeededGenerator(seed: 42)
        let expected = (0..<2).map { _ in
            let digits = String(reference.next(), radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        #expect(Self.text(generator.hexadecimalID()) == expected.joined())
    }

    @Test func aSmallWordKeepsItsLeadingZeros() throws {
        // The first seed whose first word is below 2^56: its text starts with two zeros.
        let seed = try #require((UInt64(0)..<10_000).first { SeededGenerator.firstWord(seed: $0) < 1 << 56 })
        var generator = SeededGenerator(seed: seed)
        var reference = SeededGenerator(seed: seed)
        let text = Self.text(generator.hexadecimalID())
        #expect(text.hasPrefix("00"))
        #expect(UInt64(text.prefix(16), radix: 16) == reference.next())
    }

    @Test func idsHaveTheProvidersShapes() {
        #expect(SybilionProvider.newTraceID().value.wholeMatch(of: /[0-9a-f]{32}/) != nil)
        #expect(HookBridgeProvider.newRequestID().value.wholeMatch(of: /req_[a-z0-9]{24}/) != nil)
        #expect(SybilionProvider.newTraceID() != SybilionProvider.newTraceID())
        #expect(HookBridgeProvider.newRequestID() != HookBridgeProvider.newRequestID())
    }

    private static func text(_ characters: InlineArray<32, UInt8>) -> String {
        String(decoding: (0..<32).map { characters[$0] }, as: UTF8.self)
    }
}

extension SeededGenerator {
    fileprivate static func firstWord(seed: UInt64) -> UInt64 {
        var generator = SeededGenerator(seed: seed)
        return generator.next()
    }
}
