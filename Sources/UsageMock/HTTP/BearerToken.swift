import HTTPServerCore
import HTTPTypes

/// What a request's `Authorization` header fields say (docs/behaviour.md, common rule 2):
/// the bearer token, or which check failed (`X-Usagemock-Reason` names it on a 401).
enum BearerCredential {
    case missing
    /// More than one `Authorization` field: they cannot name one token.
    case repeated
    case otherScheme
    /// The `Bearer` scheme (any case), but not exactly one token after it.
    case notOneToken
    case token(String)

    init(_ headers: RequestHeaders) {
        if let parsed = headers.withOnlyValue(of: .authorization, Self.parse) {
            self = parsed
        } else {
            self = headers.contains(.authorization) ? .repeated : .missing
        }
    }

    /// Scans the value's UTF-8 bytes once, by offset, with no array of words: it runs on
    /// every request.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> BearerCredential {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") }
        guard let schemeStart = bytes.firstIndex(where: { !isSpace($0) }) else { return .otherScheme }
        let schemeEnd = bytes[schemeStart...].firstIndex(where: isSpace) ?? bytes.count
        guard UnsafeBufferPointer(rebasing: bytes[schemeStart..<schemeEnd]).equalsIgnoringASCIICase("bearer") else {
            return .otherScheme
        }
        guard let tokenStart = bytes[schemeEnd...].firstIndex(where: { !isSpace($0) }) else { return .notOneToken }
        let tokenEnd = bytes[tokenStart...].firstIndex(where: isSpace) ?? bytes.count
        guard bytes[tokenEnd...].allSatisfy(isSpace) else { return .notOneToken }
        return .token(String(decoding: UnsafeBufferPointer(rebasing: bytes[tokenStart..<tokenEnd]), as: UTF8.self))
    }
}

/// The token of an `Authorization: Bearer <token>` header; nil for anything else.
func bearerToken(in headers: RequestHeaders) -> String? {
    guard case .token(let token) = BearerCredential(headers) else { return nil }
    return token
}
