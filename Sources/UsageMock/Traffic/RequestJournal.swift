import HTTPServerCore
import HTTPTypes
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One received request as the journal keeps it. Raw values only: JSON is written
/// when someone reads the journal, not on the request path.
struct JournalEntry: Sendable {
    var id = 0
    /// Wall-clock time of arrival, microseconds since 1970.
    let receivedAtMicros: Int
    let method: String
    /// The request target as sent: the path, and the query after `?`.
    let target: String
    /// The request's header fields as received (the journal shows them with secrets masked).
    let headers: RequestHeaders
    let bodySize: Int
    /// The body's first `bodyLimit` bytes: a Klaim cursor lives in the body.
    let body: [UInt8]
    /// Who answered: a provider's name, nil for no route.
    let provider: String?
    /// The matched route; nil when none matched.
    let route: Route?
    /// nil when a fault dropped the connection.
    let status: Int?
    /// Bytes of the answer's body; nil when a fault dropped the connection.
    let responseSize: Int?
    let durationMicros: Int
    /// The id of the fault that fired, if one did.
    let faultID: Int?
    /// The answer's header fields but an id made for it (`ServerResponse.fieldsBesideRequestField`,
    /// shared with it, not copied): `reason` and `warning` are looked up in them when
    /// the journal is read.
    let responseFields: HTTPFields
    /// `X-Usagemock-Reason` and `X-Usagemock-Warning` of the answer, if it had them.
    var reason: String? { responseFields.firstValue(of: MockHeaders.reason) }
    var warning: String? { responseFields.firstValue(of: MockHeaders.warning) }

    var path: Substring { target.prefix { $0 != "?" && $0 != "#" } }
    var query: Substring {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return target[target.index(after: mark)...].prefix { $0 != "#" }
    }

    /// Bytes of a body the journal keeps.
    static let bodyLimit = 16 * 1024

    init(
        receivedAtMicros: Int, method: String, target: String, headers: RequestHeaders, body: [UInt8], provider: String?,
        route: Route?, status: Int?, responseSize: Int?, durationMicros: Int, faultID: Int?, responseFields: HTTPFields
    ) {
        (self.receivedAtMicros, self.method, self.target, self.headers) = (receivedAtMicros, method, target, headers)
        bodySize = body.count
        // Shared with the request, not copied, unless it must be cut.
        self.body = body.count <= Self.bodyLimit ? body : Array(body.prefix(Self.bodyLimit))
        (self.provider, self.route, self.status, self.responseSize, self.durationMicros) = (
            provider, route, status, responseSize, durationMicros
        )
        (self.faultID, self.responseFields) = (faultID, responseFields)
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970 * 1_000_000) }
}

/// The last `capacity` requests, newest first when read; a capacity of 0 keeps nothing.
///
/// Each worker (`ServerRequest.worker`) appends to a ring of its own, behind a lock no
/// other worker takes: workers never wait for each other here, and the entries a worker
/// pushes out (and frees) are ones it allocated. Each ring keeps its worker's last
/// `capacity` entries, so the newest `capacity` of all are always kept.
///
/// Ids count up across rings and are taken under the ring's lock; a reader holds every
/// ring's lock at once, so no id it has not seen can turn up later below one it has
/// (`?after=` relies on that).
final class RequestJournal: Sendable {
    private struct Ring {
        var entries: [JournalEntry] = []
        /// Where the next entry goes once the ring is full.
        var next = 0
    }

    /// A ring per worker slot (`ServerRequest.workerSlots`).
    static let ringCount = ServerRequest.workerSlots

    let capacity: Int
    private let rings: [PThreadLocked<Ring>]
    private let lastID = Atomic<Int>(0)

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        rings = (0..<Self.ringCount).map { _ in PThreadLocked(Ring()) }
    }

    func record(_ entry: consuming JournalEntry, worker: Int) {
        guard capacity > 0 else { return }
        // Once the ring is full, the entry is swapped in, not copied, and `entry` comes
        // back holding the one pushed out: freed when this returns, after the lock.
        var entry = entry
        rings[worker % Self.ringCount].withLock { ring in
            entry.id = lastID.add(1, ordering: .relaxed).newValue
            guard ring.entries.count == capacity else {
                ring.entries.append(entry)
                return
            }
            swap(&ring.entries[ring.next], &entry)
            ring.next = (ring.next + 1) % capacity
        }
    }

    /// Forgets every entry; returns how many were shown. Ids keep counting up.
    func clear() -> Int {
        withEveryRing { rings in
            let kept = rings.reduce(0) { $0 + $1.entries.count }
            for index in rings.indices {
                rings[index].entries.removeAll(keepingCapacity: true)
                rings[index].next = 0
            }
            return min(kept, capacity)
        }
    }

    /// The newest `capacity` entries whose id is above `id` (every entry for 0), newest
    /// first. They are copied out one by one, so no ring's storage is shared with a
    /// reader and the next request does not copy it whole (the dashboard polls once a
    /// second).
    func newestFirst(after id: Int = 0) -> [JournalEntry] {
        withEveryRing { rings in
            var newer: [JournalEntry] = []
            for ring in rings {
                // Each ring is in id order from `next` on: its newest entries are the last.
                let count = ring.entries.count
                for offset in 0..<count {
                    let entry = ring.entries[(ring.next - 1 - offset + count) % count]
                    guard entry.id > id else { break }
                    newer.append(entry)
                }
            }
            newer.sort { $0.id > $1.id }
            return Array(newer.prefix(capacity))
        }
    }

    /// `body` with every ring, each lock held until it returns. The rings are moved out
    /// under their locks and back, never copied: a copy left behind would make the
    /// next append copy a whole ring.
    private func withEveryRing<Result>(_ body: (inout [Ring]) -> Result) -> Result {
        func holding(from index: Int, _ taken: inout [Ring]) -> Result {
            guard index < rings.count else { return body(&taken) }
            return rings[index].withLock { ring in
                taken.append(Ring())
                swap(&ring, &taken[index])
                defer { swap(&ring, &taken[index]) }
                return holding(from: index + 1, &taken)
            }
        }
        var taken: [Ring] = []
        taken.reserveCapacity(rings.count)
        return holding(from: 0, &taken)
    }
}

extension JournalEntry {
    /// Header names whose values the journal shows masked.
    private static let secretHeaders: [HTTPField.Name] = [.authorization, .proxyAuthorization, .cookie]

    func write(to json: inout JSONWriter) {
        json.field("id", id)
        let seconds = receivedAtMicros / 1_000_000
        let millis = String(receivedAtMicros / 1000 % 1000)
        json.field(
            "time", UTCTime.timestamp(seconds: seconds).dropLast() + "." + String(repeating: "0", count: 3 - millis.count) + millis + "Z")
        json.field("method", method)
        json.field("path", String(path))
        json.field("query", String(query))
        json.field("provider", provider)
        json.field("route", route?.summary)
        json.field("status", status)
        json.field("response_size", responseSize)
        json.field("duration_us", durationMicros)
        json.field("body_size", bodySize)
        json.field("body", String(decoding: body, as: UTF8.self))
        json.field("body_truncated", bodySize > body.count)
        json.field("fault", faultID)
        json.field("reason", reason)
        json.field("warning", warning)
        json.key("headers")
        let headerFields = headers.fields
        json.object {
            var seen: Set<HTTPField.Name> = []
            for field in headerFields where seen.insert(field.name).inserted {
                let values = headerFields[values: field.name]
                let shown = Self.secretHeaders.contains(field.name) ? values.map(Self.masked) : values
                $0.key(escaping: field.name.rawName)
                $0.string(shown.joined(separator: ", "))
            }
        }
    }

    /// `Bearer sk_t*******`: the scheme, and as much of the credential as key
    /// messages show.
    private static func masked(_ value: String) -> String {
        let words = value.split(separator: " ", maxSplits: 1)
        guard words.count == 2 else { return maskedKey(value) }
        return words[0] + " " + maskedKey(String(words[1]))
    }
}
