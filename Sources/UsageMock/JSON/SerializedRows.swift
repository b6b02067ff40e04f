/// Rows serialised once at load, stored end to end in one buffer (one allocation for
/// a million rows rather than a million), so a page is a copy of byte ranges.
struct SerializedRows: Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    var count: Int { ends.count }

    mutating func append(_ row: [UInt8]) {
        bytes.append(contentsOf: row)
        ends.append(bytes.count)
    }

    mutating func reserveCapacity(rows: Int, bytesPerRow: Int) {
        ends.reserveCapacity(rows)
        bytes.reserveCapacity(rows * bytesPerRow)
    }

    func row(_ index: Int) -> ArraySlice<UInt8> {
        bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }
}

extension JSONWriter {
    /// `[row, row, …]` for the rows at `indices`, in that order.
    mutating func rows(_ rows: SerializedRows, _ indices: some Sequence<Int>) {
        array { writer in
            for index in indices { writer.raw(rows.row(index)) }
        }
    }
}
