import HTTPServerCore
import HTTPTypes

/// The token of an `Authorization: Bearer <token>` header (docs/behaviour.md, common rule 2): scheme
/// matched case-insensitively, exactly one token after it; anything else is nil.
/// Two `Authorization` fields are refused too: they cannot name one token.
/// Scans the value's UTF-8 bytes once, by offset, with no array of words: it runs on
/// every request.
func bearerToken(in headers: RequestHeaders) -> String? {
    let token = headers.withOnlyValue(of: .authorization) { bytes -> String? in
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") }
        guard let schemeStart = bytes.firstIndex(where: { !isSpace($0) }) else { return nil }
        let schemeEnd = bytes[schemeStart...].firstIndex(where: isSpace) ?? bytes.count
        guard bytes[schemeStart..<schemeEnd].elementsEqual("bearer".utf8, by: { $0 | 0x20 == $1 }),
            let tokenStart = bytes[schemeEnd...].firstIndex(where: { !isSpace($0) })
        else { return nil }
        let tokenEnd = bytes[tokenStart...].firstIndex(where: isSpace) ?? bytes.count
        guard bytes[tokenEnd...].allSatisfy(isSpace) else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[tokenStart..<tokenEnd]), as: UTF8.self)
    }
    return token ?? nil
}
