import Foundation
import Testing

@testable import UsageMock

/// Rows stored as their values with the keys kept once must join into the same JSON a
/// writer produces for whole objects, whatever the lengths and the order asked for.
@Suite struct SerializedRowsTests {
    struct Row {
        let id: Int
        let name: String?
        let note: String
    }

    let rows: [Row] = [
        Row(id: 0, name: "a", note: ""),
        Row(id: -42, name: nil, note: "quote \" backslash \\ newline \n tab \t bell \u{07} é 🙂"),
        // Past the one-byte length, and past the 16- and 32-byte moves.
        Row(id: 1 << 52, name: String(repeating: "x", count: 255), note: String(repeating: "long ", count: 300)),
        Row(id: 7, name: String(repeating: "y", count: 16), note: String(repeating: "z", count: 31)),
        Row(id: 8, name: String(repeating: "y", count: 17), note: String(repeating: "z", count: 33)),
    ]

    /// How a page is written: joined from keys and values (no budget for whole rows), or
    /// copied from whole-row chunks of two rows (a page crosses chunks) or of the default size.
    enum Storage: CaseIterable {
        case joined, twoRowChunks, defaultChunks

        var empty: SerializedRows {
            switch self {
            case .joined: SerializedRowsTests.empty(budget: WholeRowBudget(bytes: 0))
            case .twoRowChunks: SerializedRowsTests.empty(chunkRows: 2, budget: WholeRowBudget(bytes: 1 << 20))
            case .defaultChunks: SerializedRowsTests.empty(budget: WholeRowBudget(bytes: 1 << 20))
            }
        }
    }

    static func empty(chunkRows: Int = WholeRowChunks.defaultChunkRows, budget: WholeRowBudget) -> SerializedRows {
        SerializedRows(keys: ["id", "name", "a \"key\""], chunkRows: chunkRows, budget: budget)
    }

    func serialised(_ storage: Storage = .joined) -> SerializedRows {
        serialised(into: storage.empty)
    }

    func serialised(into empty: SerializedRows) -> SerializedRows {
        var serialised = empty
        for row in rows {
            serialised.append {
                $0.value(row.id)
                $0.value(row.name)
                $0.value(row.note)
            }
        }
        return serialised
    }

    /// The same rows written whole by `JSONWriter`, as they were before keys were shared.
    func expected(_ indices: [Int]) -> [UInt8] {
        JSONWriter.document { writer in
            writer.array { writer in
                for index in indices {
                    writer.object {
                        $0.field("id", rows[index].id)
                        $0.field("name", rows[index].name)
                        $0.key(escaping: "a \"key\"")
                        $0.string(rows[index].note)
                    }
                }
            }
        }
    }

    @Test(arguments: Storage.allCases, [[], [0], [2], [0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 2, 0], [1, 3]])
    func pagesJoinToWholeRows(storage: Storage, indices: [Int]) throws {
        let rows = serialised(storage)
        // Twice: the first page makes the chunks it reads, the second reads them made.
        for _ in 0..<2 {
            let page = JSONWriter.document { $0.rows(rows, indices) }
            #expect(page == expected(indices))
            #expect(try JSONSerialization.jsonObject(with: Data(page)) is [Any])
        }
    }

    /// Pages in stored order, as `Range`s: one copy per chunk they cross.
    @Test(arguments: Storage.allCases, [0..<0, 0..<1, 1..<3, 1..<4, 0..<5, 4..<5])
    func consecutivePagesJoinToWholeRows(storage: Storage, range: Range<Int>) {
        let rows = serialised(storage)
        for _ in 0..<2 {
            #expect(JSONWriter.document { $0.rows(rows, range) } == expected(Array(range)))
        }
    }

    /// A budget too small for every chunk: the pages past it are joined, the same bytes;
    /// chunks give their bytes back when their rows go.
    @Test func chunksPastTheBudgetAreJoined() {
        let budget = WholeRowBudget(bytes: 1500)
        do {
            let rows = serialised(into: Self.empty(chunkRows: 1, budget: budget))
            for _ in 0..<2 {
                #expect(JSONWriter.document { $0.rows(rows, 0..<5) } == expected([0, 1, 2, 3, 4]))
                #expect(JSONWriter.document { $0.rows(rows, [4, 1, 0]) } == expected([4, 1, 0]))
            }
            #expect(budget.usedBytes > 0 && budget.usedBytes <= 1500)
        }
        #expect(budget.usedBytes == 0)
    }

    @Test(arguments: [0, 7, -7, 10, -10, 1_000_000, 1 << 52, Int.max, Int.min])
    func numbersAreWrittenAsSwiftPrintsThem(_ value: Int) {
        var bytes = Array("x".utf8)
        bytes.appendDecimal(value)
        #expect(String(decoding: bytes, as: UTF8.self) == "x\(value)")
    }

    @Test(arguments: Storage.allCases)
    func pageInsideADocumentKeepsItsNeighbours(storage: Storage) {
        let stored = serialised(storage)
        let document = JSONWriter.document {
            $0.object {
                $0.field("before", 1)
                $0.key("data")
                $0.rows(stored, 1..<3)
                $0.field("after", true)
            }
        }
        let rowsJSON = expected([1, 2])
        #expect(document == Array(#"{"before":1,"data":"#.utf8) + rowsJSON + Array(#","after":true}"#.utf8))
    }
}
