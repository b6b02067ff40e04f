import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 response as it came off the socket.
public struct RawResponse: Sendable {
    public let status: Int
    /// The status line and the header fields, without the blank line.
    public let head: String
    public let bodyBytes: [UInt8]
    public var body: String { String(decoding: bodyBytes, as: UTF8.self) }

    /// The header fields in order, as (name, value) with the value's surrounding spaces trimmed.
    public var headerFields: [(name: String, value: String)] {
        head.split(separator: "\r\n").dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }
}

/// A TCP connection that sends exactly the bytes given, for requests no polite HTTP
/// client would make. Used by one thread at a time.
public final class RawConnection: @unchecked Sendable {
    private let fd: Int32
    /// Bytes received past the last response returned (pipelined responses).
    private var pending: [UInt8] = []
    /// The last receive ended by the timeout rather than by the peer closing.
    public private(set) var timedOut = false

    public init(port: Int, timeoutSeconds: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // A throwing init of a class still runs deinit, which closes the socket.
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    deinit {
        close(fd)
    }

    public func send(_ text: String) {
        send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// Everything until the peer closes or the timeout passes.
    public func receiveAll() -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return received }
            received += buffer[..<count]
        }
    }

    /// One response: head, then `Content-Length` bytes of body. Nil when the connection
    /// closed or timed out first.
    public func receiveResponse() -> RawResponse? {
        var received = pending
        pending = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let headEnd = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<headEnd.lowerBound], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count - headEnd.upperBound >= length {
                    let status = Int(head.split(separator: " ")[1]) ?? 0
                    let body = Array(received[headEnd.upperBound..<headEnd.upperBound + length])
                    pending = Array(received[(headEnd.upperBound + length)...])
                    return RawResponse(status: status, head: head, bodyBytes: body)
                }
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else {
                timedOut = count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
                return nil
            }
            received += buffer[..<count]
        }
    }
}
