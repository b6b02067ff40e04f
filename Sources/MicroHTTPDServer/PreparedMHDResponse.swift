import CMicroHTTPD
import HTTPServerCore

/// A prepared response as libmicrohttpd sends it: one libmicrohttpd response, made by
/// the first request that answers with it and queued again for every later one, with
/// its header fields added once; and its header fields as C strings, for the answers
/// made per request under its head (`ServerResponse.preparedHead`).
///
/// libmicrohttpd counts a response's uses under the response's own mutex, so workers
/// may queue it at once; it is never changed after it is made. Destroying it when the
/// prepared response goes (a new scenario) drops only this reference: libmicrohttpd
/// frees it after its last send, and its body (lent, see `ResponseBody`) with it.
final class PreparedMHDResponse: @unchecked Sendable {
    private let pointer: OpaquePointer
    /// Each field but `Content-Length` (which libmicrohttpd sets) as its name and value,
    /// each NUL-terminated, one after the other: libmicrohttpd copies them from here.
    private let fieldBytes: [CChar]
    /// Where each field's name and value start in `fieldBytes`.
    private let fieldStarts: [(name: Int, value: Int)]

    private init?(_ prepared: PreparedResponse) {
        var bytes: [CChar] = []
        var starts: [(name: Int, value: Int)] = []
        for field in prepared.head.headerFields where field.name != .contentLength {
            let nameStart = bytes.count
            bytes.append(contentsOf: field.name.rawName.utf8.map { CChar(bitPattern: $0) })
            bytes.append(0)
            let valueStart = bytes.count
            field.withUnsafeBytesOfValue { bytes.append(contentsOf: $0.map { CChar(bitPattern: $0) }) }
            bytes.append(0)
            starts.append((nameStart, valueStart))
        }
        fieldBytes = bytes
        fieldStarts = starts
        guard let pointer = ResponseBody.response(sending: prepared.body) else { return nil }
        self.pointer = pointer
        guard addFields(to: pointer) else {
            MHD_destroy_response(pointer)
            return nil
        }
    }

    deinit {
        MHD_destroy_response(pointer)
    }

    /// `prepared`'s form, made on first use.
    private static func form(of prepared: PreparedResponse) -> PreparedMHDResponse? {
        if let kept = prepared.transportForm.load() as? PreparedMHDResponse { return kept }
        guard let made = PreparedMHDResponse(prepared) else { return nil }
        return prepared.transportForm.storeIfNilThenLoad(made) as? PreparedMHDResponse ?? made
    }

    /// Queues `prepared` on `connection`, made into a libmicrohttpd response on first use.
    static func queue(_ prepared: PreparedResponse, on connection: OpaquePointer) -> MHD_Result {
        guard let form = form(of: prepared) else { return .NO }
        return MHD_queue_response(connection, UInt32(prepared.statusCode), form.pointer)
    }

    /// A new libmicrohttpd response over `body` with `prepared`'s header fields and
    /// `field`, not yet queued; nil if libmicrohttpd could not make it.
    static func response(_ prepared: PreparedResponse, adding field: RequestField?, body: [UInt8]) -> OpaquePointer? {
        guard let form = form(of: prepared), let response = ResponseBody.response(sending: body) else { return nil }
        guard form.addFields(to: response), field.map({ ResponseBody.add($0, to: response) }) ?? true else {
            MHD_destroy_response(response)
            return nil
        }
        return response
    }

    private func addFields(to response: OpaquePointer) -> Bool {
        fieldBytes.withUnsafeBufferPointer { bytes in
            fieldStarts.allSatisfy { start in
                MHD_add_response_header(response, bytes.baseAddress! + start.name, bytes.baseAddress! + start.value) == .YES
            }
        }
    }
}
