import HTTPTypes

/// The token of an `Authorization: Bearer <token>` header (SPEC.md rule 2): scheme
/// matched case-insensitively, exactly one token after it; anything else is nil.
/// Two `Authorization` fields are refused too: they cannot name one token.
/// Scans the value's UTF-8 bytes once, with no array of words: it runs on every request.
func bearerToken(in fields: HTTPFields) -> String? {
    var authorization: String?
    for field in fields where field.name == .authorization {
        guard authorization == nil else { return nil }
        authorization = field.value
    }
    guard let value = authorization?[...] else { return nil }
    let utf8 = value.utf8
    let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") }
    guard let schemeStart = utf8.firstIndex(where: { !isSpace($0) }) else { return nil }
    let schemeEnd = utf8[schemeStart...].firstIndex(where: isSpace) ?? utf8.endIndex
    guard utf8[schemeStart..<schemeEnd].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }),
          let tokenStart = utf8[schemeEnd...].firstIndex(where: { !isSpace($0) })
    else { return nil }
    let tokenEnd = utf8[tokenStart...].firstIndex(where: isSpace) ?? utf8.endIndex
    guard utf8[tokenEnd...].allSatisfy(isSpace) else { return nil }
    return String(value[tokenStart..<tokenEnd])
}
