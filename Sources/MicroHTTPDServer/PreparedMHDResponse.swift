import CMicroHTTPD
import HTTPServerCore

/// A prepared response as libmicrohttpd sends it: one libmicrohttpd response, made by
/// the first request that answers with it and queued again for every later one, with
/// its header fields added once.
///
/// libmicrohttpd counts a response's uses under the response's own mutex, so workers
/// may queue it at once; it is never changed after it is made. Destroying it when the
/// prepared response goes (a new scenario) drops only this reference: libmicrohttpd
/// frees it after its last send, and its body (lent, see `ResponseBody`) with it.
final class PreparedMHDResponse: @unchecked Sendable {
    private let pointer: OpaquePointer

    private init?(_ prepared: PreparedResponse) {
        guard let pointer = ResponseBody.response(head: prepared.head, body: prepared.body) else { return nil }
        self.pointer = pointer
    }

    deinit {
        MHD_destroy_response(pointer)
    }

    /// Queues `prepared` on `connection`, made into a libmicrohttpd response on first use.
    static func queue(_ prepared: PreparedResponse, on connection: OpaquePointer) -> MHD_Result {
        let form: PreparedMHDResponse
        if let kept = prepared.transportForm.load() as? PreparedMHDResponse {
            form = kept
        } else {
            guard let made = PreparedMHDResponse(prepared) else { return .NO }
            form = prepared.transportForm.storeIfNilThenLoad(made) as? PreparedMHDResponse ?? made
        }
        return MHD_queue_response(connection, UInt32(prepared.statusCode), form.pointer)
    }
}
