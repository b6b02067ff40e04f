import Synchronization

/// SplitMix64: a seeded generator whose sequence is the same on every machine and run,
/// which the standard library's generator does not promise. Generated scenario data
/// must be byte-identical everywhere (docs/behaviour.md, common rule 4).
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` characters from lowercase letters and digits, as ids and cursors use.
    mutating func alphanumerics(_ count: Int) -> String {
        // Written into the string's storage: an alphabet array and an array of
        // characters per id were most of making a million of them.
        String(unsafeUninitializedCapacity: count) { characters in
            for index in 0..<count { characters[index] = alphanumeric() }
            return count
        }
    }

    /// One lowercase letter or digit, as ASCII.
    mutating func alphanumeric() -> UInt8 {
        let choice = UInt8(next() % 36)
        return choice < 26 ? UInt8(ascii: "a") + choice : UInt8(ascii: "0") + choice - 26
    }

    /// The next two numbers of the sequence in lowercase hexadecimal, 16 digits each (a
    /// trace id), kept inline: no String per response.
    mutating func hexadecimalID() -> InlineArray<32, UInt8> {
        var characters = InlineArray<32, UInt8>(repeating: 0)
        for word in 0..<2 {
            let value = next()
            for index in 0..<16 {
                let digit = UInt8(truncatingIfNeeded: value >> UInt64(60 - index * 4) & 0xF)
                characters[word * 16 + index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            }
        }
        return characters
    }

    /// One element of a non-empty list.
    mutating func choice<T>(_ choices: [T]) -> T {
        choices[Int(next() % UInt64(choices.count))]
    }
}

extension SeededGenerator {
    /// A generator for one response's random ids (HookBridge's request id, Sybilion's
    /// trace id), seeded from a process-wide counter seeded once from the system
    /// generator: a getrandom(2) call per response was the larger part of making an
    /// id. The counter steps past both words a response may draw, so no two responses
    /// of a process share an id word.
    static func forResponseIDs() -> SeededGenerator {
        SeededGenerator(seed: responseIDSeeds.wrappingAdd(2 &* 0x9E37_79B9_7F4A_7C15, ordering: .relaxed).oldValue)
    }
}

private let responseIDSeeds = Atomic<UInt64>(.random(in: .min ... .max))
