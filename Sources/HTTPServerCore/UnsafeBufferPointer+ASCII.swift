extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes spell `lowercase` (lowercase ASCII) with letters in any case:
    /// how HTTP compares field names and the `Bearer` scheme.
    package func equalsIgnoringASCIICase(_ lowercase: some Collection<UInt8>) -> Bool {
        count == lowercase.count
            && zip(self, lowercase).allSatisfy { byte, lower in
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == lower
            }
    }
}
