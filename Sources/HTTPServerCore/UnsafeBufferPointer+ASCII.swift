extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes spell `lowercase` (lowercase ASCII) with letters in any case:
    /// how HTTP compares field names and the `Bearer` scheme.
    ///
    /// Not generic on purpose: called from another module, a generic version ran
    /// unspecialised (a `zip` looking up type metadata per byte), 7 % of a request's CPU.
    package func equalsIgnoringASCIICase(_ lowercase: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == lowercase.count else { return false }
        for index in indices {
            let byte = self[index]
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == lowercase[index] else { return false }
        }
        return true
    }

    package func equalsIgnoringASCIICase(_ lowercase: StaticString) -> Bool {
        equalsIgnoringASCIICase(UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
    }
}
