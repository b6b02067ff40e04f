import HTTPTypes

/// The token of an `Authorization: Bearer <token>` header (SPEC.md rule 2): scheme
/// matched case-insensitively, exactly one token after it; anything else is nil.
/// Two `Authorization` fields are refused too: they cannot name one token.
func bearerToken(in fields: HTTPFields) -> String? {
    let values = fields[values: .authorization]
    guard values.count == 1 else { return nil }
    let words = values[0].split(separator: " ", omittingEmptySubsequences: true)
    guard words.count == 2, words[0].lowercased() == "bearer" else { return nil }
    return String(words[1])
}
