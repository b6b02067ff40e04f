import HTTPTypes

/// A request's header fields as received, names in the case they were sent, in one
/// buffer: the server appends each field as libmicrohttpd hands it over, with no
/// `HTTPField` per field; routing looks up the few fields it reads; the journal keeps
/// the buffer whole. `fields` builds the HTTPTypes view where every field is needed.
public struct RequestHeaders: Sendable, Equatable {
    /// Per field: the name's and the value's byte counts (two bytes each, little-endian),
    /// then the name's and the value's bytes.
    @usableFromInline var storage: [UInt8] = []

    public init() {}

    public init(_ fields: HTTPFields) {
        for field in fields { append(name: field.name.rawName, value: field.value) }
    }

    public var isEmpty: Bool { storage.isEmpty }

    /// Room for `bytes` bytes of names and values, so a head is appended without growing.
    public mutating func reserveCapacity(_ bytes: Int) {
        storage.reserveCapacity(bytes)
    }

    /// Appends one field. Names and values longer than 65,535 bytes are cut there; the
    /// server refuses heads over 16 KiB anyway.
    public mutating func append(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        let name = UnsafeBufferPointer(rebasing: name.prefix(Int(UInt16.max)))
        let value = UnsafeBufferPointer(rebasing: value.prefix(Int(UInt16.max)))
        // One capacity check for the whole field: six appends checked it six times, and
        // each header field of each request passes here.
        storage.append(addingCapacity: 4 + name.count + value.count) { span in
            span.withUnsafeMutableBufferPointer { field, written in
                field.initializeElement(at: 0, to: UInt8(truncatingIfNeeded: name.count))
                field.initializeElement(at: 1, to: UInt8(truncatingIfNeeded: name.count >> 8))
                field.initializeElement(at: 2, to: UInt8(truncatingIfNeeded: value.count))
                field.initializeElement(at: 3, to: UInt8(truncatingIfNeeded: value.count >> 8))
                _ = UnsafeMutableBufferPointer(rebasing: field[4...]).initialize(fromContentsOf: name)
                _ = UnsafeMutableBufferPointer(rebasing: field[(4 + name.count)...]).initialize(fromContentsOf: value)
                written = field.count
            }
        }
    }

    public mutating func append(name: String, value: String) {
        var name = name
        var value = value
        name.withUTF8 { name in value.withUTF8 { append(name: name, value: $0) } }
    }

    /// The first value of the field `name`, compared without regard to case.
    public subscript(name: HTTPField.Name) -> String? {
        var found: String?
        forEach(named: name) { value in
            found = String(decoding: value, as: UTF8.self)
            return false
        }
        return found
    }

    /// Every value of the field `name`, in the order sent.
    public subscript(values name: HTTPField.Name) -> [String] {
        var values: [String] = []
        forEach(named: name) { value in
            values.append(String(decoding: value, as: UTF8.self))
            return true
        }
        return values
    }

    /// `body` over the value's bytes when the field `name` was sent exactly once; nil
    /// when it was not sent or sent more than once. No String is made. Inlinable, so
    /// that it is specialised for `Result` where it is called (generic, it looked up
    /// `Optional<Result>`'s metadata on every request).
    @inlinable
    public func withOnlyValue<Result>(of name: HTTPField.Name, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        var count = 0
        var result: Result?
        forEach(named: name) { value in
            count += 1
            result = count == 1 ? body(value) : nil
            return count == 1
        }
        return result
    }

    @inlinable
    public func contains(_ name: HTTPField.Name) -> Bool {
        var found = false
        forEach(named: name) { _ in
            found = true
            return false
        }
        return found
    }

    /// The fields as HTTPTypes models them; a name HTTP does not allow is left out (the
    /// server refuses such a request, and the journal shows what is left).
    public var fields: HTTPFields {
        var fields = HTTPFields()
        forEachField { name, value in
            guard let name = HTTPField.Name(String(decoding: name, as: UTF8.self)) else { return true }
            fields.append(HTTPField(name: name, lenientValue: value))
            return true
        }
        return fields
    }

    /// Calls `body` with the value of each field called `name` until it returns false.
    @inlinable
    func forEach(named name: HTTPField.Name, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        var lowercased = name.canonicalName
        lowercased.withUTF8 { wanted in
            forEachField { fieldName, value in
                fieldName.equalsIgnoringASCIICase(wanted) ? body(value) : true
            }
        }
    }

    /// Calls `body` with each field's name and value until it returns false.
    @inlinable
    func forEachField(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Bool) {
        storage.withUnsafeBufferPointer { bytes in
            var offset = 0
            while offset + 4 <= bytes.count {
                let nameCount = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
                let valueCount = Int(bytes[offset + 2]) | Int(bytes[offset + 3]) << 8
                let nameStart = offset + 4
                let valueStart = nameStart + nameCount
                offset = valueStart + valueCount
                let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<valueStart])
                guard body(name, UnsafeBufferPointer(rebasing: bytes[valueStart..<offset])) else { return }
            }
        }
    }
}
