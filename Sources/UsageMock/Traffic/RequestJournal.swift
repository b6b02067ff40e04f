import HTTPServerCore
import HTTPTypes

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
    /// `X-Usagemock-Reason` and `X-Usagemock-Warning` of the answer, if it had them.
    let reason: String?
    let warning: String?

    var path: Substring { target.prefix { $0 != "?" && $0 != "#" } }
    var query: Substring {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return target[target.index(after: mark)...].prefix { $0 != "#" }
    }

    /// Bytes of a body the journal keeps.
    static let bodyLimit = 16 * 1024

    init(
        receivedAtMicros: Int, method: String, target: String, headers: RequestHeaders, body: [UInt8], provider: String?,
        route: Route?, status: Int?, responseSize: Int?, durationMicros: Int, faultID: Int?, reason: String?, warning: String?
    ) {
        (self.receivedAtMicros, self.method, self.target, self.headers) = (receivedAtMicros, method, target, headers)
        bodySize = body.count
        // Shared with the request, not copied, unless it must be cut.
        self.body = body.count <= Self.bodyLimit ? body : Array(body.prefix(Self.bodyLimit))
        (self.provider, self.route, self.status, self.responseSize, self.durationMicros) = (
            provider, route, status, responseSize, durationMicros
        )
        (self.faultID, self.reason, self.warning) = (faultID, reason, warning)
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970 * 1_000_000) }
}

/// The last `capacity` requests in a ring buffer, newest first when read. Appending is
/// one short critical section; a capacity of 0 keeps nothing.
final class RequestJournal: Sendable {
    private struct Ring {
        var entries: [JournalEntry] = []
        /// Where the next entry goes once the ring is full.
        var next = 0
        var lastID = 0
    }

    let capacity: Int
    private let ring: PThreadLocked<Ring>

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        var ring = Ring()
        ring.entries.reserveCapacity(min(self.capacity, 4096))
        self.ring = PThreadLocked(ring)
    }

    func record(_ entry: consuming JournalEntry) {
        guard capacity > 0 else { return }
        var entry = entry
        // The entry pushed out is freed after the lock is released, not under it.
        let pushedOut: JournalEntry? = ring.withLock { ring in
            ring.lastID += 1
            entry.id = ring.lastID
            guard ring.entries.count == capacity else {
                ring.entries.append(entry)
                return nil
            }
            swap(&ring.entries[ring.next], &entry)
            ring.next = (ring.next + 1) % capacity
            return entry
        }
        _ = consume pushedOut
    }

    /// Forgets every entry; returns how many there were. Ids keep counting up.
    func clear() -> Int {
        ring.withLock { ring in
            defer {
                ring.entries.removeAll(keepingCapacity: true)
                ring.next = 0
            }
            return ring.entries.count
        }
    }

    /// The entries kept whose id is above `id` (every entry for 0), newest first. They
    /// are copied out one by one, so the ring's storage is never shared with a reader
    /// and the next request does not copy it whole (the dashboard polls once a second).
    func newestFirst(after id: Int = 0) -> [JournalEntry] {
        ring.withLock { ring in
            // Ids are consecutive: the newest `lastID - id` entries are those above `id`.
            let count = ring.entries.count
            let newer = min(count, max(0, ring.lastID - id))
            return (0..<newer).map { ring.entries[(ring.next - 1 - $0 + count) % count] }
        }
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
                $0.field(field.name.rawName, shown.joined(separator: ", "))
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
