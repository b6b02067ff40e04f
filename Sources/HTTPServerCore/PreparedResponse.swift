import Atomics
import HTTPTypes

/// A response whose bytes stay the same for as long as a scenario is served (a
/// balance, a provider's 401), built once and sent again and again; or a head shared by
/// answers made per request (`ServerResponse(head:adding:body:)`, a page), whose
/// fields are then built once too.
///
/// A transport may keep its own ready-to-send form of it in `transportForm` (the
/// libmicrohttpd server keeps one libmicrohttpd response, queued for every request
/// that answers with this, and the fields as C strings), so a request that answers
/// with it makes nothing.
///
/// Unchecked Sendable for `additions`' pointer: its slots are only read and set atomically.
public final class PreparedResponse: @unchecked Sendable {
    public let head: HTTPResponse
    public let body: [UInt8]
    /// `head.status.code`, read once: HTTPTypes parses it from the head on every read.
    public let statusCode: Int
    /// The transport's form, made by the first request that sends this response.
    package let transportForm = ManagedAtomicLazyReference<AnyObject & Sendable>()
    /// Per worker slot (`ServerRequest.workerSlots`), the first response
    /// `adding(_:worker:)` made from this one, kept for that worker's later calls.
    /// One allocation for every slot, not an object each: a response made for one
    /// request (an addition other than the kept one) makes its slots too. (Inline
    /// `AtomicLazyReference`s of the Synchronization module allocate nothing, but
    /// their `load()` is not inlined and looked up generic metadata on each call: 570
    /// more instructions per balance; see docs/performance.md.)
    private let additions: UnsafeMutablePointer<UnsafeAtomicLazyReference<Addition>.Storage> = {
        let slots = UnsafeMutablePointer<UnsafeAtomicLazyReference<Addition>.Storage>.allocate(capacity: ServerRequest.workerSlots)
        slots.initialize(repeating: .init(), count: ServerRequest.workerSlots)
        return slots
    }()

    public init(head: HTTPResponse, body: [UInt8] = []) {
        self.head = head
        self.body = body
        statusCode = head.status.code
    }

    deinit {
        for slot in 0..<ServerRequest.workerSlots { additions[slot].dispose() }
        additions.deallocate()
    }

    /// `response`'s head and body (its delay and the like are the request's, not kept).
    public convenience init(_ response: ServerResponse) {
        self.init(head: response.head, body: response.body)
    }

    /// This response with `fields` appended, itself prepared. The first fields asked
    /// for are kept, so each later request that adds the same (CORS's, a 401's reason)
    /// gets the same response; other fields make a new one each time.
    ///
    /// Each worker slot keeps an addition of its own, with its own header fields, body
    /// and transport form: a request takes references to the response it sends, and
    /// when every worker took them on one object the workers wrote its lines in turn
    /// (in-process, two threads answering the balance at once: 1.81 µs per request each
    /// with one shared addition, 1.65 µs with one per worker, best of ten runs).
    public func adding(_ fields: [HTTPField], worker: Int) -> PreparedResponse {
        let addition = UnsafeAtomicLazyReference(at: additions + worker % ServerRequest.workerSlots)
        if let kept = addition.load(), kept.fields == fields { return kept.response }
        var head = head
        head.headerFields.append(contentsOf: fields)
        // The body copied too: each request that sends the addition takes a reference to it.
        let made = Addition(fields: fields, response: PreparedResponse(head: head, body: body.withUnsafeBufferPointer(Array.init)))
        let kept = addition.storeIfNilThenLoad(made)
        return kept.fields == fields ? kept.response : made.response
    }

    private final class Addition: Sendable {
        let fields: [HTTPField]
        let response: PreparedResponse

        init(fields: [HTTPField], response: PreparedResponse) {
            self.fields = fields
            self.response = response
        }
    }
}
