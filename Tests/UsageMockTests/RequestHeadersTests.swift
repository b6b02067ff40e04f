import HTTPServerCore
import HTTPTypes
import Testing

/// The request's header fields as the server keeps them: looked up by name in any case,
/// in the order sent, and whole for the journal.
@Suite struct RequestHeadersTests {
    private let headers: RequestHeaders = {
        var headers = RequestHeaders()
        headers.append(name: "Host", value: "localhost:8080")
        headers.append(name: "AUTHORIZATION", value: "Bearer a")
        headers.append(name: "x-usagemock-status", value: "429")
        headers.append(name: "authorization", value: "Bearer b")
        headers.append(name: "Empty", value: "")
        return headers
    }()

    @Test func lookupIgnoresTheNamesCase() {
        #expect(headers[.authorization] == "Bearer a")
        #expect(headers[HTTPField.Name("X-Usagemock-Status")!] == "429")
        #expect(headers[values: .authorization] == ["Bearer a", "Bearer b"])
        #expect(headers.contains(HTTPField.Name("host")!))
        #expect(headers[HTTPField.Name("Empty")!] == "")
    }

    @Test func aMissingFieldIsNil() {
        #expect(headers[.contentType] == nil)
        #expect(headers[values: .contentType].isEmpty)
        #expect(!headers.contains(.cookie))
        // A name that is a prefix of one sent does not match it.
        #expect(headers[HTTPField.Name("Hos")!] == nil)
        #expect(RequestHeaders()[.authorization] == nil)
    }

    @Test func theFieldsKeepNamesAsSentAndTheirOrder() {
        let fields = headers.fields
        #expect(fields.map(\.name.rawName) == ["Host", "AUTHORIZATION", "x-usagemock-status", "authorization", "Empty"])
        #expect(fields.map(\.value) == ["localhost:8080", "Bearer a", "429", "Bearer b", ""])
        #expect(RequestHeaders(fields) == headers)
    }

    @Test func aNameHTTPDoesNotAllowIsLeftOutOfTheFields() {
        var headers = RequestHeaders()
        headers.append(name: "Bad Name", value: "x")
        headers.append(name: "Good", value: "y")
        #expect(headers.fields.map(\.name.rawName) == ["Good"])
    }

    @Test func longValuesRoundTrip() {
        var headers = RequestHeaders()
        let long = String(repeating: "v", count: 16_000)
        headers.append(name: "X-Long", value: long)
        headers.append(name: "After", value: "z")
        #expect(headers[HTTPField.Name("x-long")!] == long)
        #expect(headers[HTTPField.Name("after")!] == "z")
    }
}
