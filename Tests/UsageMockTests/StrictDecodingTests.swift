import Foundation
import Testing

/// The page structs the provider suites decode into fail on a field that is missing or
/// of another type; `Nullable` lets a field be null but not absent.
@Suite struct StrictDecodingTests {
    struct Row: Decodable {
        let count: Int
        let note: Nullable<String>
    }

    private func decode(_ json: String) throws -> Row {
        try JSONDecoder().decode(Row.self, from: Data(json.utf8))
    }

    @Test func presentFieldsDecode() throws {
        #expect(try decode(#"{"count":1,"note":"n"}"#).note.value == "n")
        #expect(try decode(#"{"count":1,"note":null}"#).note.value == nil)
    }

    @Test(arguments: [
        #"{"note":null}"#, #"{"count":1}"#, #"{"count":"1","note":null}"#, #"{"count":null,"note":null}"#, #"{"count":1,"note":2}"#,
    ])
    func missingOrRetypedFieldsFail(_ json: String) {
        #expect(throws: DecodingError.self) { try decode(json) }
    }
}
