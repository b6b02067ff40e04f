import HTTPServerCore
import Testing

/// The head checks the server makes on fields libmicrohttpd let through, without a socket.
@Suite struct HeadValidationTests {
    private func validation(_ fields: [(String, String)]) -> HeadValidation {
        var validation = HeadValidation()
        for (name, value) in fields {
            Array(name.utf8).withUnsafeBufferPointer { name in
                Array(value.utf8).withUnsafeBufferPointer { validation.add(name: name, value: $0) }
            }
        }
        return validation
    }

    @Test func aPlainHeadPasses() {
        let head = validation([("Host", "localhost"), ("Authorization", "Bearer k"), ("content-length", "12")])
        #expect(head.problem(isHTTP11: true) == nil)
        #expect(!head.closesAfterResponse)
    }

    @Test func hostIsCountedWhateverItsCase() {
        #expect(validation([]).problem(isHTTP11: true) == "an HTTP/1.1 request needs a Host header field")
        #expect(validation([]).problem(isHTTP11: false) == nil)
        #expect(validation([("HOST", "a"), ("host", "a")]).problem(isHTTP11: true) == "more than one Host header field")
        #expect(validation([("hosts", "a")]).problem(isHTTP11: true) == "an HTTP/1.1 request needs a Host header field")
    }

    @Test(arguments: ["", "X Y", "X:Y", "Ä", "a\u{0}b", "(x)"])
    func aFieldNameThatIsNoTokenIsRefused(name: String) {
        #expect(validation([("Host", "a"), (name, "v")]).problem(isHTTP11: true) == "a header field name is not a valid token")
    }

    /// Every byte against RFC 9110's `tchar`, as a one-byte name after `X`.
    @Test func everyByteIsATokenCharacterExactlyWhenTheRFCSaysSo() {
        let punctuation = Set("!#$%&'*+-.^_`|~".utf8)
        for byte in UInt8.min...UInt8.max {
            let isTchar = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || punctuation.contains(byte)
            var validation = self.validation([("Host", "a")])
            [UInt8(ascii: "X"), byte].withUnsafeBufferPointer { validation.add(name: $0, value: UnsafeBufferPointer(start: nil, count: 0)) }
            #expect((validation.problem(isHTTP11: true) == nil) == isTchar, "byte \(byte)")
        }
    }

    @Test func tokenPunctuationIsAllowedInNames() {
        #expect(validation([("Host", "a"), ("X-!#$%&'*+-.^_`|~9", "v")]).problem(isHTTP11: true) == nil)
    }

    @Test func contentLengthsMustAgree() {
        #expect(validation([("Host", "a"), ("Content-Length", "5"), ("Content-Length", "5")]).problem(isHTTP11: true) == nil)
        #expect(
            validation([("Host", "a"), ("Content-Length", "5"), ("content-length", "6")]).problem(isHTTP11: true)
                == "conflicting Content-Length values")
        #expect(
            validation([("Host", "a"), ("Content-Length", "x"), ("Content-Length", "x")]).problem(isHTTP11: true)
                == "conflicting Content-Length values")
    }

    @Test func onlyOneChunkedCodingIsAccepted() {
        let unsupported = "unsupported Transfer-Encoding (only a single chunked coding is accepted)"
        #expect(validation([("Host", "a"), ("Transfer-Encoding", "CHUNKED")]).problem(isHTTP11: true) == nil)
        #expect(validation([("Host", "a"), ("Transfer-Encoding", "gzip")]).problem(isHTTP11: true) == unsupported)
        #expect(
            validation([("Host", "a"), ("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")]).problem(isHTTP11: true)
                == unsupported)
    }

    @Test func transferEncodingWithContentLengthClosesAfterTheAnswer() {
        let head = validation([("Host", "a"), ("Transfer-Encoding", "chunked"), ("Content-Length", "3")])
        #expect(head.problem(isHTTP11: true) == nil)
        #expect(head.closesAfterResponse)
    }
}
