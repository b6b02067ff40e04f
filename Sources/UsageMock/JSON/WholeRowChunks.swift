import Atomics

/// A table's rows written whole (`{"key":value,…},`), a chunk of consecutive rows at a
/// time, made by the first page that reads the chunk and kept with the table.
///
/// A page joined from keys and values (`SerializedRows.join`) takes a copy per key and
/// per value, over half of what `respond(to:)` does for a 100-row page. From a chunk it
/// takes one copy for rows in stored order, one per row otherwise. Keys are over half of
/// a row's bytes, so chunks come out of a process-wide budget (`WholeRowBudget`): the
/// rows a server reads, not every row of a million-row scenario, and past the budget a
/// page is joined as before.
///
/// Chunks are made without a lock: each slot is set once, atomically; two workers that
/// make the same chunk at once keep the first and drop the other.
final class WholeRowChunks: Sendable {
    static let defaultChunkRows = 1024

    let chunkRows: Int
    let budget: WholeRowBudget
    /// One slot per chunk, made with the first page: the rows are all appended by then.
    private let slots = ManagedAtomicLazyReference<Slots>()

    init(chunkRows: Int, budget: WholeRowBudget) {
        precondition(chunkRows > 0)
        self.chunkRows = chunkRows
        self.budget = budget
    }

    /// Whether a page has been read (after which no row may be appended).
    var hasChunks: Bool { slots.load() != nil }

    /// `SerializedRows.write`'s bytes for `rows`, copied from whole-row chunks; nil when
    /// a chunk they need is past the budget.
    func write(_ indices: some Collection<Int>, of rows: SerializedRows, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard let destination = output.baseAddress, !indices.isEmpty else { return 0 }
        let slots = slots.load() ?? self.slots.storeIfNilThenLoad(Slots(count: (rows.count + chunkRows - 1) / chunkRows))
        var at = 0
        // Every row is copied with the comma after it; the last one is taken back at the end.
        func copy(_ chunk: Chunk, rows range: Range<Int>) {
            chunk.bytes.withUnsafeBytes { bytes in
                let start = Int(chunk.starts[range.lowerBound])
                let count = Int(chunk.starts[range.upperBound]) - start
                precondition(at + count <= output.count, "a page outgrew its room")
                (destination + at).copyMemory(from: bytes.baseAddress! + start, byteCount: count)
                at += count
            }
        }
        if let consecutive = indices as? Range<Int> {
            var row = consecutive.lowerBound
            while row < consecutive.upperBound {
                let number = row / chunkRows
                guard let chunk = chunk(number, in: slots, of: rows) else { return nil }
                let first = number * chunkRows
                let end = min(consecutive.upperBound, first + chunkRows)
                copy(chunk, rows: row - first..<end - first)
                row = end
            }
        } else {
            var current: (number: Int, chunk: Chunk)?
            for row in indices {
                let number = row / chunkRows
                if current?.number != number {
                    guard let chunk = chunk(number, in: slots, of: rows) else { return nil }
                    current = (number, chunk)
                }
                let first = row - number * chunkRows
                copy(current!.chunk, rows: first..<first + 1)
            }
        }
        return at - 1
    }

    /// Chunk `number`, made now if it is not yet and the budget allows.
    private func chunk(_ number: Int, in slots: Slots, of rows: SerializedRows) -> Chunk? {
        let slot = slots.chunks[number]
        if let made = slot.load() { return made }
        let range = number * chunkRows..<min(rows.count, (number + 1) * chunkRows)
        guard let made = Chunk(rows, range, budget: budget) else { return nil }
        return slot.storeIfNilThenLoad(made)
    }

    private final class Slots: Sendable {
        let chunks: [ManagedAtomicLazyReference<Chunk>]

        init(count: Int) {
            chunks = (0..<count).map { _ in ManagedAtomicLazyReference() }
        }
    }

    /// Consecutive rows written whole, each followed by a comma.
    private final class Chunk: Sendable {
        let bytes: [UInt8]
        /// `starts[i]`: where the chunk's row `i` starts in `bytes`; `starts[count]` is its end.
        let starts: [UInt32]
        let budget: WholeRowBudget

        /// Nil when the budget does not hold the chunk's bytes.
        init?(_ rows: SerializedRows, _ range: Range<Int>, budget: WholeRowBudget) {
            let bound = rows.byteBound(range) + range.count
            guard budget.take(bound) else { return nil }
            var starts: [UInt32] = [0]
            starts.reserveCapacity(range.count + 1)
            let written = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
                let output = UnsafeMutableRawBufferPointer(buffer)
                for row in range {
                    count += rows.join(CollectionOfOne(row), into: UnsafeMutableRawBufferPointer(rebasing: output[count...]))
                    buffer[count] = UInt8(ascii: ",")
                    count += 1
                    starts.append(UInt32(count))
                }
            }
            // Copied to its size, and the budget given back what the bound held more.
            bytes = written.withUnsafeBufferPointer(Array.init)
            budget.giveBack(bound - bytes.count)
            self.starts = starts
            self.budget = budget
        }

        deinit {
            budget.giveBack(bytes.count)
        }
    }
}

/// Bytes that whole-row chunks may hold at once, across every scenario served (chunks of
/// a replaced scenario give theirs back when they go).
final class WholeRowBudget: Sendable {
    /// 32 MiB: the default scenario's rows many times over, about a tenth of what
    /// `Scenarios/large.json` holds compact.
    static let shared = WholeRowBudget(bytes: 32 << 20)

    let bytes: Int
    private let used = ManagedAtomic(0)

    init(bytes: Int) {
        self.bytes = bytes
    }

    /// Takes `count` bytes if they fit.
    func take(_ count: Int) -> Bool {
        // A plain load first: once the budget is spent, a page does not write the counter.
        guard used.load(ordering: .relaxed) + count <= bytes else { return false }
        if used.wrappingIncrementThenLoad(by: count, ordering: .relaxed) <= bytes { return true }
        giveBack(count)
        return false
    }

    func giveBack(_ count: Int) {
        used.wrappingDecrement(by: count, ordering: .relaxed)
    }

    /// Bytes held now.
    var usedBytes: Int { used.load(ordering: .relaxed) }
}
