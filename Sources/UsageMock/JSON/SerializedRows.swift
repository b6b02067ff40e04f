/// Rows serialised once at load, stored end to end in one buffer with a comma between
/// each (one allocation for a million rows rather than a million), so a page of
/// consecutive rows is one copy of one byte range, commas included.
struct SerializedRows: Sendable {
    private var bytes: [UInt8] = []
    /// `ends[i]`: where row `i` ends; row `i + 1` starts after the comma that follows.
    /// 32 bits, half the memory of `Int` offsets (8 MB on a million rows): one
    /// provider account's rows stay far below 4 GiB.
    private var ends: [UInt32] = []

    var count: Int { ends.count }

    /// Appends the one JSON value `write` writes, serialised straight into the buffer:
    /// no array per row to allocate, copy and free.
    mutating func append(_ write: (inout JSONWriter) -> Void) {
        var writer = JSONWriter(appendingTo: bytes, afterValue: !ends.isEmpty)
        // The writer now holds the only reference, so appending never copies the buffer.
        bytes = []
        write(&writer)
        bytes = writer.bytes
        precondition(bytes.count <= UInt32.max, "an account's serialised rows exceed 4 GiB")
        ends.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    mutating func reserveCapacity(rows: Int, bytesPerRow: Int) {
        ends.reserveCapacity(rows)
        bytes.reserveCapacity(rows * (bytesPerRow + 1))
    }

    /// Rows `range` as they appear in a JSON array: `row,row,…,row`.
    func joined(_ range: Range<Int>) -> ArraySlice<UInt8> {
        range.isEmpty ? [] : bytes[start(of: range.lowerBound)..<Int(ends[range.upperBound - 1])]
    }

    var averageRowBytes: Int { ends.isEmpty ? 0 : bytes.count / ends.count }

    private func start(of index: Int) -> Int {
        index == 0 ? 0 : Int(ends[index - 1]) + 1
    }
}

extension JSONWriter {
    /// `[row, row, …]` for the rows at `indices`, in that order. Runs of consecutive
    /// rows are copied as one range: a page in serving order is a single copy, where a
    /// copy per row (each retaining the shared buffer, whose reference count the
    /// worker threads then contend for) was most of a page's cost.
    mutating func rows(_ rows: SerializedRows, _ indices: some Sequence<Int>) {
        reserveCapacity(adding: indices.underestimatedCount * (rows.averageRowBytes + 1) + 512)
        array { writer in
            var iterator = indices.makeIterator()
            guard var runStart = iterator.next() else { return }
            var runEnd = runStart + 1
            while let index = iterator.next() {
                if index == runEnd {
                    runEnd += 1
                } else {
                    writer.raw(rows.joined(runStart..<runEnd))
                    (runStart, runEnd) = (index, index + 1)
                }
            }
            writer.raw(rows.joined(runStart..<runEnd))
        }
    }
}
