/// Calendar arithmetic in UTC on plain integers, fast enough to format a million
/// timestamps at load. Days-from-civil and back are Howard Hinnant's algorithms.
enum UTCTime {
    struct Civil: Equatable {
        var year: Int, month: Int, day: Int
        var hour = 0, minute = 0, second = 0
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromSeconds seconds: Int) -> Civil {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return Civil(
            year: year, month: month, day: day,
            hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        let next = month == 12 ? daysFromCivil(year: year + 1, month: 1, day: 1) : daysFromCivil(year: year, month: month + 1, day: 1)
        return next - daysFromCivil(year: year, month: month, day: 1)
    }

    /// `2026-11-21T12:00:00Z` → seconds since 1970; nil for any other form or a year
    /// before 1970.
    static func parseTimestamp(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z"),
            let year = number(bytes[0..<4]), year >= 1970, let month = number(bytes[5..<7]), let day = number(bytes[8..<10]),
            let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]), let second = number(bytes[17..<19]),
            (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// `2026-02-01` → (year, month, day); nil for any other form, a day the month lacks
    /// or a year before 1970.
    static func parseDate(_ text: String) -> Civil? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(bytes[0..<4]), year >= 1970, let month = number(bytes[5..<7]), let day = number(bytes[8..<10]),
            (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        return Civil(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`
    static func timestamp(seconds: Int) -> String {
        let c = civil(fromSeconds: seconds)
        return format { out in
            out.put(c.year, 4, "-")
            out.put(c.month, 2, "-")
            out.put(c.day, 2, "T")
            out.put(c.hour, 2, ":")
            out.put(c.minute, 2, ":")
            out.put(c.second, 2, "Z")
        }
    }

    /// `YYYY-MM-DD`
    static func date(year: Int, month: Int, day: Int) -> String {
        format { out in
            out.put(year, 4, "-")
            out.put(month, 2, "-")
            out.put(day, 2)
        }
    }

    /// `YYYYMMDDHHMMSS`
    static func compactTimestamp(seconds: Int) -> String {
        let c = civil(fromSeconds: seconds)
        return format { out in
            out.put(c.year, 4)
            out.put(c.month, 2)
            out.put(c.day, 2)
            out.put(c.hour, 2)
            out.put(c.minute, 2)
            out.put(c.second, 2)
        }
    }

    /// Zero-padded fields written straight into the string's storage, with no array
    /// per call: a million rows are formatted at load.
    private static func format(_ write: (inout FieldWriter) -> Void) -> String {
        // Room for any Int year: at most 19 digits, and 15 bytes of the other fields.
        String(unsafeUninitializedCapacity: 40) { buffer in
            var writer = FieldWriter(buffer: buffer)
            write(&writer)
            return writer.count
        }
    }

    private struct FieldWriter {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        /// `value` (not negative) in at least `width` digits, then `separator` if any.
        mutating func put(_ value: Int, _ width: Int, _ separator: Unicode.Scalar? = nil) {
            if width == 2, value < 100 {
                // Month, day, hour, minute, second: the common case, without a loop.
                buffer[count] = UInt8(ascii: "0") + UInt8(value / 10)
                buffer[count + 1] = UInt8(ascii: "0") + UInt8(value % 10)
                count += 2
            } else {
                putDigits(value, width)
            }
            if let separator {
                buffer[count] = UInt8(ascii: separator)
                count += 1
            }
        }

        private mutating func putDigits(_ value: Int, _ width: Int) {
            var digits = 1
            var rest = value / 10
            while rest > 0 {
                digits += 1
                rest /= 10
            }
            count += max(width, digits)
            rest = value
            for position in stride(from: count - 1, through: count - max(width, digits), by: -1) {
                buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
