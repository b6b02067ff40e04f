import HTTPServerCore

/// Appends JSON to a byte buffer.
///
/// Rows never change after a scenario loads, so each is written once, here, and pages
/// are joined from those bytes; a general encoder on every request would be the
/// mock's main cost. Keys are written in the order the caller gives, which is the order
/// the providers document.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(reservingCapacity capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Continues `bytes`; `afterValue` when they end with a value, so the next value
    /// written is preceded by a comma.
    init(appendingTo bytes: [UInt8], afterValue: Bool) {
        self.bytes = bytes
        needsComma = afterValue
    }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func array(_ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":`; the next value written belongs to it. A key written in the
    /// source is copied as it is, with its quotes and colon, in one append: none needs
    /// escaping (checked in debug builds), and keys are most of a page's envelope.
    mutating func key(_ key: JSONKey) {
        separate()
        let name = UnsafeBufferPointer(start: key.text.utf8Start, count: key.text.utf8CodeUnitCount)
        assert(!name.contains(where: [UInt8].isEscapedInJSON), "a JSON key that needs escaping: \(key.text)")
        bytes.appendQuoted(name, then: UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes `"key":` for a key that comes from data (a path, a provider's name),
    /// escaped as a string value is.
    mutating func key(escaping key: String) {
        separate()
        bytes.appendJSONString(key, then: UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func string(_ value: String) {
        separate()
        bytes.appendJSONString(value)
        needsComma = true
    }

    mutating func int(_ value: Int) {
        separate()
        bytes.appendDecimal(value)
        needsComma = true
    }

    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    /// Already-encoded JSON (a schema built once), written as one value.
    mutating func raw(_ json: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    /// Already-encoded JSON that `write` writes in place, as one value: `write` gets
    /// uninitialised room for `capacity` bytes and returns how many it wrote. For a page
    /// of rows, which takes a copy per key and per value: appending each would check the
    /// array's capacity and uniqueness a thousand times a page.
    /// `write` must check its room before each store (`SerializedRows.write` does).
    ///
    /// The document is moved into one new buffer with that room and `following` bytes
    /// more for what comes after the value: the value is written where it stays, not
    /// into a buffer of its own and copied over.
    mutating func appendInPlace(upTo capacity: Int, following: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) -> Int) {
        separate()
        let before = bytes
        bytes = [UInt8](unsafeUninitializedCapacity: before.count + capacity + following) { room, count in
            let start = room.initialize(fromContentsOf: before)
            count = start + write(UnsafeMutableBufferPointer(rebasing: room[start..<start + capacity]))
        }
        needsComma = true
    }

    mutating func field(_ name: JSONKey, _ value: String) {
        key(name)
        string(value)
    }
    /// An id's value (`RequestField`), from the bytes it keeps.
    mutating func field(_ name: JSONKey, _ value: RequestField) {
        key(name)
        value.withValueBytes { bytes.appendJSONString(utf8: $0) }
        needsComma = true
    }
    mutating func field(_ name: JSONKey, _ value: Int) {
        key(name)
        int(value)
    }
    mutating func field(_ name: JSONKey, _ value: Bool) {
        key(name)
        bool(value)
    }
    mutating func field(_ name: JSONKey, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }
    mutating func field(_ name: JSONKey, _ value: Int?) {
        key(name)
        if let value { int(value) } else { null() }
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}

/// A key as written in the source (`$0.field("limit", limit)`): a static string, which
/// `JSONWriter.key(_:)` copies without escaping. Keys that come from data go through
/// `key(escaping:)`.
struct JSONKey: ExpressibleByStringLiteral {
    let text: StaticString

    init(stringLiteral text: StaticString) {
        self.text = text
    }
}

extension JSONWriter {
    /// A whole JSON document built in one expression.
    static func document(_ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter()
        body(&writer)
        return writer.bytes
    }
}

extension [UInt8] {
    /// `string` as a JSON string: quoted, with `"`, `\\` and control characters escaped;
    /// then `following`, if given (a key's colon).
    mutating func appendJSONString(_ string: String, then following: UInt8? = nil) {
        var text = string
        text.withUTF8 { appendJSONString(utf8: $0, then: following) }
    }

    /// The text whose UTF-8 is `utf8` as a JSON string, as `appendJSONString(_:then:)`.
    ///
    /// A string with nothing to escape (nearly every value, every id) is appended with
    /// its quotes in one append: appending the quotes and the text apart checked the
    /// buffer three times.
    mutating func appendJSONString(utf8: UnsafeBufferPointer<UInt8>, then following: UInt8? = nil) {
        guard !utf8.contains(where: Self.isEscapedInJSON) else {
            appendEscapedJSONString(utf8: utf8)
            if let following { append(following) }
            return
        }
        appendQuoted(utf8, then: following)
    }

    /// `utf8` in quotes, then `following`, as they are: for text with nothing to escape.
    mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>, then following: UInt8?) {
        let count = utf8.count + (following == nil ? 2 : 3)
        append(addingCapacity: count) { span in
            span.withUnsafeMutableBufferPointer { room, written in
                room.initializeElement(at: 0, to: UInt8(ascii: "\""))
                _ = UnsafeMutableBufferPointer(rebasing: room[1...]).initialize(fromContentsOf: utf8)
                room.initializeElement(at: utf8.count + 1, to: UInt8(ascii: "\""))
                if let following { room.initializeElement(at: utf8.count + 2, to: following) }
                written = count
            }
        }
    }

    static func isEscapedInJSON(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func appendEscapedJSONString(utf8: UnsafeBufferPointer<UInt8>) {
        append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            default: append(byte)
            }
        }
        append(UInt8(ascii: "\""))
    }

    /// `value` in decimal ASCII, with no String per number on a million rows. The digits
    /// are written into stack room and appended at once: appending them one by one
    /// checked the buffer for each.
    mutating func appendDecimal(_ value: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: UnsafeMutableBufferPointer<UInt8>.decimalRoom) { room in
            let end = room.initializeDecimal(value, at: 0)
            append(contentsOf: UnsafeMutableBufferPointer(rebasing: room[..<end]))
        }
    }
}

extension UnsafeMutableBufferPointer<UInt8> {
    /// Bytes `initializeDecimal` may write: 20 digits for any magnitude, and the sign.
    static var decimalRoom: Int { 21 }

    /// Writes `value` in decimal ASCII from `start`, where `decimalRoom` bytes are free,
    /// and returns where it ends: how JSON documents and access-log lines write numbers.
    func initializeDecimal(_ value: Int, at start: Int) -> Int {
        var end = value < 0 ? start + 1 : start
        var rest = value.magnitude
        repeat {
            end += 1
            rest /= 10
        } while rest > 0
        if value < 0 { initializeElement(at: start, to: UInt8(ascii: "-")) }
        rest = value.magnitude
        var index = end
        repeat {
            index -= 1
            initializeElement(at: index, to: UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        return end
    }
}
