/// Pages that start after a cursor naming a row (Poe's `starting_after` query id,
/// Klaim's `starting_after` type id). Rows are in serving order; a cursor is found in
/// O(1), so a page deep in a million rows costs what the first page costs.
///
/// Compact for a million rows: the cursors' bytes end to end in one buffer and an
/// open-addressing table of row numbers hashed by those bytes, a few times smaller
/// than a `[String: Int]` (a heap String per id plus the entry).
struct CursorPagination: Sendable {
    private let bytes: [UInt8]
    /// `ends[i]`: where cursor `i`'s bytes end in `bytes`.
    private let ends: [UInt32]
    /// Row + 1 at the slot of its hash (linear probing); 0 marks an empty slot.
    /// At least twice as many slots as rows, a power of two.
    private let slots: [Int32]

    var count: Int { ends.count }

    /// `cursors[i]` is the cursor of row `i`; cursors are unique (validated at load).
    init<Cursors: Collection>(cursors: Cursors) where Cursors.Element: ContiguousUTF8 {
        var bytes: [UInt8] = []
        // Exactly the room needed: grown by doubling, a million ids' bytes were copied
        // several times over and the last copy could be left up to half empty.
        bytes.reserveCapacity(cursors.reduce(0) { $0 + $1.withUTF8Bytes(\.count) })
        var ends: [UInt32] = []
        ends.reserveCapacity(cursors.count)
        var slotCount = 16
        while slotCount < cursors.count * 2 { slotCount *= 2 }
        var slots = [Int32](repeating: 0, count: slotCount)
        for (row, cursor) in cursors.enumerated() {
            let hash = cursor.withUTF8Bytes { utf8 in
                bytes.append(contentsOf: utf8)
                return Self.hash(utf8)
            }
            ends.append(UInt32(bytes.count))
            var slot = hash & (slotCount - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (slotCount - 1) }
            slots[slot] = Int32(row + 1)
        }
        self.bytes = bytes
        self.ends = ends
        self.slots = slots
    }

    struct Page: Equatable {
        let rows: Range<Int>
        /// Rows follow this page.
        let hasMore: Bool
    }

    /// The first `limit` rows strictly after `cursor` (from the start when nil); nil
    /// when the cursor names no row.
    func page(after cursor: String?, limit: Int) -> Page? {
        var start = 0
        if let cursor {
            guard let position = row(of: cursor) else { return nil }
            start = position + 1
        }
        let end = min(count, start + limit)
        return Page(rows: start..<end, hasMore: end < count)
    }

    /// The cursor of row `row`.
    func cursor(at row: Int) -> String {
        String(decoding: cursorBytes(row), as: UTF8.self)
    }

    private func row(of cursor: String) -> Int? {
        var cursor = cursor
        var slot = cursor.withUTF8(Self.hash) & (slots.count - 1)
        while slots[slot] != 0 {
            let row = Int(slots[slot]) - 1
            if cursorBytes(row).elementsEqual(cursor.utf8) { return row }
            slot = (slot + 1) & (slots.count - 1)
        }
        return nil
    }

    private func cursorBytes(_ row: Int) -> ArraySlice<UInt8> {
        bytes[(row == 0 ? 0 : Int(ends[row - 1]))..<Int(ends[row])]
    }

    /// FNV-1a, 64 bits: stable, fast on short ids. Over the bytes in memory, which is
    /// much cheaper than going through each String's UTF-8 view.
    private static func hash(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}
