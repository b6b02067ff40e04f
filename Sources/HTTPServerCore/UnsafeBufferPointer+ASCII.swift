#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes spell `lowercase` (lowercase ASCII) with letters in any case:
    /// how HTTP compares field names and the `Bearer` scheme.
    ///
    /// Not generic on purpose: called from another module, a generic version ran
    /// unspecialised (a `zip` looking up type metadata per byte), 7 % of a request's CPU.
    @usableFromInline
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

    /// Whether these bytes equal `other`'s, compared with `memcmp`: `Sequence`'s
    /// `elementsEqual` goes through iterators, byte by byte, and routing compares path
    /// segments on every request.
    package func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        guard let base = baseAddress, let otherBase = other.baseAddress else { return true }
        return memcmp(base, otherBase, count) == 0
    }

    package var isASCII: Bool {
        for index in indices where self[index] >= 0x80 { return false }
        return true
    }
}
