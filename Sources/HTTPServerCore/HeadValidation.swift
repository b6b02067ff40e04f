/// The checks HTTP/1.1 asks of a request head that libmicrohttpd 0.9.75 lets through
/// (RFC 9112 §3.2, §5, §6.3): a field name that is no token, a missing or repeated
/// Host, conflicting Content-Lengths, a Transfer-Encoding other than one `chunked`.
/// Fed each field as the server reads it, in one pass that keeps counts, not copies.
public struct HeadValidation: Sendable {
    private var invalidFieldName = false
    private var hosts = 0
    private var contentLengths = 0
    /// The first Content-Length's value, when it is a decimal number.
    public private(set) var firstContentLength: UInt64?
    private var conflictingLengths = false
    private var transferCodings = 0
    private var onlyChunked = true

    public init() {}

    public mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        guard !name.isEmpty, name.allSatisfy(Self.isTokenCharacter) else {
            invalidFieldName = true
            return
        }
        // By length first: most fields are none of the three, and are told so at once.
        switch name.count {
        case 4 where name.equalsIgnoringASCIICase("host"):
            hosts += 1
        case 14 where name.equalsIgnoringASCIICase("content-length"):
            let length = Self.decimal(value)
            if contentLengths > 0, length == nil || length != firstContentLength { conflictingLengths = true }
            if contentLengths == 0 { firstContentLength = length }
            contentLengths += 1
        case 17 where name.equalsIgnoringASCIICase("transfer-encoding"):
            transferCodings += 1
            onlyChunked = onlyChunked && value.equalsIgnoringASCIICase("chunked")
        default:
            break
        }
    }

    /// Transfer-Encoding and Content-Length together: answer, then close, so nothing
    /// smuggled after the body is read as a request (RFC 9112 §6.3).
    public var closesAfterResponse: Bool { transferCodings > 0 && contentLengths > 0 }

    /// What makes the head malformed, in words for the 400's message; nil when nothing does.
    public func problem(isHTTP11: Bool) -> String? {
        if invalidFieldName { return "a header field name is not a valid token" }
        if hosts > 1 { return "more than one Host header field" }
        if hosts == 0, isHTTP11 { return "an HTTP/1.1 request needs a Host header field" }
        if conflictingLengths { return "conflicting Content-Length values" }
        // libmicrohttpd decodes a body only when the field is exactly `chunked` (any case);
        // with anything else it would read the body until the client closes (RFC 9112
        // §6.3: answer 400 and close).
        if transferCodings > 1 || !onlyChunked {
            return "unsupported Transfer-Encoding (only a single chunked coding is accepted)"
        }
        return nil
    }

    /// RFC 9110 §5.6.2 `tchar`: ALPHA, DIGIT and ``!#$%&'*+-.^_`|~``, one bit per ASCII
    /// byte (bytes 0–63, then 64–127). A switch over the characters compared each byte of
    /// each field name about ten times.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0..<64: (0x03FF_6CFA_0000_0000 as UInt64) >> byte & 1 == 1
        case 64..<128: (0x57FF_FFFF_C7FF_FFFE as UInt64) >> (byte - 64) & 1 == 1
        default: false
        }
    }

    /// A value of at most 19 ASCII digits, else nil.
    private static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
