import Testing

@testable import UsageMock

/// The parser's strings and duplicate fields, on both sides of its shortcuts: plain ASCII
/// strings skip the UTF-8 check, and small objects look for a duplicate by a scan.
@Suite struct StrictJSONTests {
    private func parse(_ text: String) throws(StrictJSON.SyntaxError) -> StrictJSON {
        try StrictJSON.parse(Array(text.utf8))
    }

    @Test(arguments: [
        (#""plain""#, "plain"), (#""""#, ""), (#""tab\tand \"quotes\"""#, "tab\tand \"quotes\""),
        (#""caf\u00e9""#, "café"), (#""café 🙂""#, "café 🙂"), (#""del \#u{7F}""#, "del \u{7F}"),
    ])
    func stringsReadAsWritten(json: String, expected: String) throws {
        #expect(try parse(json).stringValue == expected)
    }

    @Test func stringsJSONForbidsAreRefusedWhereTheyBreak() {
        #expect(throws: StrictJSON.SyntaxError(offset: 4, reason: "control character in string")) {
            try parse("\"tab\u{09}\"")
        }
        #expect(throws: StrictJSON.SyntaxError(offset: 7, reason: "unterminated string")) { try parse(#""no end"#) }
        #expect(throws: StrictJSON.SyntaxError.self) { try StrictJSON.parse([UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]) }
    }

    /// Objects of 2 and of 20 fields: below the scan's bound and past it, where a set is
    /// made of the fields so far.
    @Test(arguments: [2, StrictJSON.fieldsScannedForDuplicates, 20])
    func duplicateFieldsAreRefusedAtTheDuplicate(fields: Int) throws {
        let distinct = (0..<fields).map { "\"k\($0)\":\($0)" }
        let object = try parse("{" + distinct.joined(separator: ",") + "}")
        #expect(object["k\(fields - 1)"] != nil)

        let repeated = "{" + distinct.joined(separator: ",") + ",\"k1\":0}"
        let offset = repeated.utf8.count - #""k1":0}"#.utf8.count
        #expect(throws: StrictJSON.SyntaxError(offset: offset, reason: #"duplicate field "k1""#)) { try parse(repeated) }
    }
}
