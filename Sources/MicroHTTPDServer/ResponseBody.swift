import CMicroHTTPD
import HTTPServerCore
import HTTPTypes

/// A response body lent to libmicrohttpd instead of copied into it: a page of rows or a
/// body prepared with the scenario goes out from the Swift array that holds it.
///
/// The box is retained for libmicrohttpd and released by its free callback, once the
/// response is sent or dropped. `bytes` is never mutated and the box holds it for that
/// whole time, so the array's storage, whose address libmicrohttpd reads, neither
/// moves nor is freed before then.
final class ResponseBody {
    private let bytes: [UInt8]
    private let address: UnsafeMutableRawPointer

    private init?(_ bytes: [UInt8]) {
        guard let address = bytes.withUnsafeBytes({ $0.baseAddress }) else { return nil }
        self.bytes = bytes
        self.address = UnsafeMutableRawPointer(mutating: address)
    }

    /// A libmicrohttpd response over `body`, not yet queued; nil if libmicrohttpd could
    /// not make one.
    static func response(sending body: [UInt8]) -> OpaquePointer? {
        guard let box = ResponseBody(body) else {
            return MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT)
        }
        let retained = Unmanaged.passRetained(box)
        let response = MHD_create_response_from_buffer_with_free_callback_cls(
            body.count, box.address,
            { retained in
                guard let retained else { return }
                Unmanaged<ResponseBody>.fromOpaque(retained).release()
            }, retained.toOpaque())
        if response == nil { retained.release() }
        return response
    }

    /// A libmicrohttpd response over `body` with `head`'s header fields (but
    /// `Content-Length`, which libmicrohttpd sets), not yet queued; nil if libmicrohttpd
    /// could not make it.
    static func response(head: HTTPResponse, body: [UInt8]) -> OpaquePointer? {
        guard let response = response(sending: body) else { return nil }
        for field in head.headerFields where field.name != .contentLength {
            guard add(field, to: response) else {
                MHD_destroy_response(response)
                return nil
            }
        }
        return response
    }

    /// Adds `field` to `response` (see `add(name:value:to:)`).
    private static func add(_ field: HTTPField, to response: OpaquePointer) -> Bool {
        var name = field.name.rawName
        return name.withUTF8 { name in field.withUnsafeBytesOfValue { add(name: name, value: UnsafeRawBufferPointer($0), to: response) } }
    }

    /// Adds `field`, made for one response, to `response` (see `add(name:value:to:)`).
    static func add(_ field: RequestField, to response: OpaquePointer) -> Bool {
        var name = field.name.rawName
        return name.withUTF8 { name in field.withValueBytes { add(name: name, value: UnsafeRawBufferPointer($0), to: response) } }
    }

    /// Adds the field `name: value` to `response`, the two copied into one
    /// NUL-terminated temporary buffer (on the stack for the usual sizes): passing
    /// Strings to C made a C copy (or a String) of each, two allocations per field.
    private static func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeRawBufferPointer, to response: OpaquePointer) -> Bool {
        withUnsafeTemporaryAllocation(byteCount: name.count + value.count + 2, alignment: 1) { buffer in
            let valueStart = name.count + 1
            UnsafeMutableRawBufferPointer(rebasing: buffer[..<name.count]).copyMemory(from: UnsafeRawBufferPointer(name))
            buffer[name.count] = 0
            UnsafeMutableRawBufferPointer(rebasing: buffer[valueStart..<valueStart + value.count]).copyMemory(from: value)
            buffer[valueStart + value.count] = 0
            let start = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            return MHD_add_response_header(response, start, start + valueStart) == .YES
        }
    }
}
