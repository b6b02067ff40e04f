import HTTPTypes

/// The token of an `Authorization: Bearer <token>` header (SPEC.md rule 2): scheme
/// matched case-insensitively, exactly one token after it; anything else is nil.
/// Two `Authorization` fields are refused too: they cannot name one token.
/// Works on the value's UTF-8 bytes: it runs on every request.
func bearerToken(in fields: HTTPFields) -> String? {
    let values = fields[values: .authorization]
    guard values.count == 1 else { return nil }
    let value = values[0]
    let words = value.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
    guard words.count == 2, words[0].count == 6,
          zip(words[0], "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 })
    else { return nil }
    return String(Substring(words[1]))
}
