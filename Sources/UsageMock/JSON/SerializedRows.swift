/// A provider's rows, serialised once at load, from which a page is joined as bytes.
///
/// Every row of a table has the same keys in the same order, so the keys are stored
/// once and each row keeps only its values, already written as JSON: a page joins the
/// two and encodes nothing. Keys are over half of a row's bytes, so keeping them once
/// saves about a third of a large scenario's memory.
///
/// The values of all rows lie end to end in one buffer (one allocation for a million
/// rows), each after its length: one byte, or 255 and then four bytes for a value of
/// 255 bytes or more.
///
/// While a process-wide budget lasts, a page is copied from its rows written whole, in
/// chunks that the first page to read them makes (`WholeRowChunks`): one copy per page,
/// or per row out of stored order, instead of one per key and per value.
struct SerializedRows: Sendable {
    /// `{"key0":,"key1":…,"keyN":`: what goes before each value, end to end, then `padding`.
    private let skeleton: [UInt8]
    /// `skeletonEnds[k]`: where the bytes before value `k` end in `skeleton`.
    private let skeletonEnds: [Int]
    /// The rows' values, then `padding`.
    private var values: [UInt8] = Self.padding
    /// `ends[i]`: where row `i` ends in `values`; row `i + 1` starts there. 32 bits, half
    /// the memory of `Int` offsets: one provider account's rows stay far below 4 GiB.
    private var ends: [UInt32] = []
    /// The most bytes one row takes in `values`: what bounds a page out of stored order
    /// without a sum over its rows.
    private var mostStoredBytes = 0
    /// The rows written whole, chunk by chunk, as pages read them.
    private let wholeRows: WholeRowChunks

    var count: Int { ends.count }

    /// Rows with `keys`, in this order; each row gives a value for every key. Whole-row
    /// chunks of `chunkRows` rows come out of `budget` (tests give small ones).
    init(keys: [String], chunkRows: Int = WholeRowChunks.defaultChunkRows, budget: WholeRowBudget = .shared) {
        wholeRows = WholeRowChunks(chunkRows: chunkRows, budget: budget)
        var skeleton: [UInt8] = []
        var skeletonEnds: [Int] = []
        for (index, key) in keys.enumerated() {
            skeleton.append(UInt8(ascii: index == 0 ? "{" : ","))
            skeleton.appendJSONString(key)
            skeleton.append(UInt8(ascii: ":"))
            skeletonEnds.append(skeleton.count)
        }
        self.skeleton = skeleton + Self.padding
        self.skeletonEnds = skeletonEnds
    }

    /// Appends a row whose values `write` gives, one per key and in the keys' order.
    mutating func append(_ write: (inout RowValues) -> Void) {
        values.removeLast(Self.padding.count)
        // Lent to `row` and taken back, so the buffer has one owner and appending to it
        // never copies it.
        var row = RowValues()
        swap(&values, &row.bytes)
        write(&row)
        swap(&values, &row.bytes)
        precondition(row.count == skeletonEnds.count, "a row gave \(row.count) values for \(skeletonEnds.count) keys")
        precondition(values.count <= UInt32.max, "an account's serialised rows exceed 4 GiB")
        precondition(!wholeRows.hasChunks, "rows appended after a page was read")
        mostStoredBytes = max(mostStoredBytes, values.count - start(of: ends.count))
        ends.append(UInt32(truncatingIfNeeded: values.count))
        values += Self.padding
    }

    /// After the last bytes of `skeleton` and `values`, so that a 16-byte move from
    /// either never reads past its buffer.
    private static let padding = [UInt8](repeating: 0, count: 16)

    mutating func reserveCapacity(rows: Int, valueBytesPerRow: Int) {
        ends.reserveCapacity(rows)
        values.reserveCapacity(rows * (valueBytesPerRow + skeletonEnds.count) + Self.padding.count)
    }

    /// The rows at `indices`, in that order, as the elements of a JSON array
    /// (`row,row,…,row`), written into `output` from its start; returns the bytes written.
    /// `output` holds at least `byteBound(indices)` bytes.
    fileprivate func write(_ indices: some Collection<Int>, into output: UnsafeMutableRawBufferPointer) -> Int {
        wholeRows.write(indices, of: self, into: output) ?? join(indices, into: output)
    }

    /// `write`'s bytes, joined from the keys and each row's values.
    func join(_ indices: some Collection<Int>, into output: UnsafeMutableRawBufferPointer) -> Int {
        values.withUnsafeBytes { values in
            skeleton.withUnsafeBytes { skeleton in
                skeletonEnds.withUnsafeBufferPointer { skeletonEnds in
                    guard let destination = output.baseAddress, let values = values.baseAddress, let skeleton = skeleton.baseAddress else {
                        return 0
                    }
                    // Checked once per row, before any of its stores: `byteBound` is the
                    // promise, this the proof. A row writes a comma, its keys, its values
                    // (fewer bytes than it stores: each value's length precedes it), its
                    // closing brace, and its last move may reach 15 bytes past that.
                    let room = output.count
                    let keyBytes = skeletonEnds.last ?? 0
                    var at = 0
                    for row in indices {
                        var from = start(of: row)
                        precondition(at + 2 + keyBytes + (Int(ends[row]) - from) + 16 <= room, "a page outgrew its room")
                        if at > 0 {
                            destination.storeBytes(of: UInt8(ascii: ","), toByteOffset: at, as: UInt8.self)
                            at += 1
                        }
                        // Wrapping arithmetic below: the check above bounds every offset.
                        var keyStart = 0
                        for keyEnd in skeletonEnds {
                            Self.copy(keyEnd &- keyStart, from: skeleton + keyStart, to: destination + at)
                            at &+= keyEnd &- keyStart
                            keyStart = keyEnd
                            var length = Int(values.load(fromByteOffset: from, as: UInt8.self))
                            from &+= 1
                            if length == 255 {
                                length = Int(UInt32(littleEndian: values.loadUnaligned(fromByteOffset: from, as: UInt32.self)))
                                from &+= 4
                            }
                            Self.copy(length, from: values + from, to: destination + at)
                            at &+= length
                            from &+= length
                        }
                        destination.storeBytes(of: UInt8(ascii: "}"), toByteOffset: at, as: UInt8.self)
                        at &+= 1
                    }
                    return at
                }
            }
        }
    }

    /// Copies `count` bytes. Keys and values are mostly under 32 bytes, where a call to
    /// memmove per copy cost more than the copy: one or two 16-byte moves instead, which
    /// may read up to 15 bytes past the source (the buffers end in `padding`) and write
    /// up to 15 past the destination (`byteBound` leaves room; later bytes overwrite).
    @inline(__always)
    private static func copy(_ count: Int, from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer) {
        if count <= 16 {
            destination.storeBytes(of: source.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
        } else if count <= 32 {
            destination.storeBytes(of: source.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
            (destination + count - 16).storeBytes(of: (source + count - 16).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
        } else {
            destination.copyMemory(from: source, byteCount: count)
        }
    }

    /// At least the bytes `write(indices, into:)` writes, and room for its last 16-byte
    /// move: each row's stored bytes (its values, a little more than their length) plus
    /// its keys, braces and comma. A row written whole is its keys, values, brace and
    /// comma, so this bounds it too.
    func byteBound(_ indices: some Collection<Int>) -> Int {
        storedBytes(indices) + indices.count * (skeleton.count - Self.padding.count + 2) + Self.padding.count
    }

    /// At least the bytes the rows at `indices` take in `values`. Consecutive rows (a
    /// page in stored order) lie end to end, so theirs is one subtraction; other pages
    /// take the largest row's bytes for each, not a sum that reads every row's ends.
    /// The cast is decided when the function is specialised, not per call.
    private func storedBytes(_ indices: some Collection<Int>) -> Int {
        if let consecutive = indices as? Range<Int> {
            return consecutive.isEmpty ? 0 : Int(ends[consecutive.upperBound - 1]) - start(of: consecutive.lowerBound)
        }
        return indices.count * mostStoredBytes
    }

    private func start(of row: Int) -> Int {
        row == 0 ? 0 : Int(ends[row - 1])
    }
}

/// The values of one row being serialised, each as JSON after its length.
struct RowValues {
    fileprivate var bytes: [UInt8] = []
    /// Values written so far.
    fileprivate var count = 0

    mutating func value(_ value: Int) { measured { $0.appendDecimal(value) } }
    /// A String, or a Poe query id kept inline, as a JSON string.
    mutating func value(_ value: some ContiguousUTF8) {
        measured { bytes in value.withUTF8Bytes { bytes.appendJSONString(utf8: $0) } }
    }
    mutating func value(_ value: Int?) {
        measured { if let value { $0.appendDecimal(value) } else { $0.append(contentsOf: "null".utf8) } }
    }
    mutating func value(_ value: String?) {
        measured { if let value { $0.appendJSONString(value) } else { $0.append(contentsOf: "null".utf8) } }
    }

    private mutating func measured(_ write: (inout [UInt8]) -> Void) {
        let lengthAt = bytes.count
        bytes.append(0)
        write(&bytes)
        let length = bytes.count - lengthAt - 1
        if length < 255 {
            bytes[lengthAt] = UInt8(length)
        } else {
            bytes[lengthAt] = 255
            bytes.insert(contentsOf: withUnsafeBytes(of: UInt32(length).littleEndian, Array.init), at: lengthAt + 1)
        }
        count += 1
    }
}

extension JSONWriter {
    /// `[row, row, …]` for the rows at `indices`, in that order: a copy per key and per
    /// value into room made once for the whole page (see `appendInPlace`).
    mutating func rows(_ rows: SerializedRows, _ indices: some Collection<Int>) {
        let bound = rows.byteBound(indices)
        array { writer in
            // Room for what follows the page in the document too, so it is not grown again.
            writer.appendInPlace(upTo: bound, following: 512) { rows.write(indices, into: UnsafeMutableRawBufferPointer($0)) }
        }
    }
}
