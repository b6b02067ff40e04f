#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the server could not start listening.
public enum ServerStartError: Error, Equatable, CustomStringConvertible {
    case cannotResolve(host: String, reason: String)
    case addressInUse(host: String, port: Int)
    case cannotBind(host: String, port: Int, reason: String)
    case daemonFailed

    public var description: String {
        switch self {
        case .cannotResolve(let host, let reason):
            return "cannot resolve host \(host): \(reason)"
        case .addressInUse(let host, let port):
            return "address already in use: \(host):\(port)"
        case .cannotBind(let host, let port, let reason):
            return "cannot listen on \(host):\(port): \(reason)"
        case .daemonFailed:
            return "libmicrohttpd could not start its daemon"
        }
    }
}

/// A bound, listening TCP socket, made here rather than by libmicrohttpd so that a
/// failure says exactly why (an address in use is the common case) and so that the
/// port the kernel picked for port 0 can be read back.
struct ListeningSocket {
    let descriptor: Int32
    let port: Int
    let isIPv6: Bool

    init(host: String, port: Int) throws(ServerStartError) {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw .cannotResolve(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(results) }
        let address = first.pointee

        let fd = socket(address.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw .cannotBind(host: host, port: port, reason: String(cString: strerror(errno)))
        }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, address.ai_addr, address.ai_addrlen) == 0, listen(fd, SOMAXCONN) == 0 else {
            let code = errno
            close(fd)
            if code == EADDRINUSE { throw .addressInUse(host: host, port: port) }
            throw .cannotBind(host: host, port: port, reason: String(cString: strerror(code)))
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)

        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.descriptor = fd
        self.isIPv6 = address.ai_family == AF_INET6
        self.port = withUnsafePointer(to: &bound) { pointer in
            if address.ai_family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }
}
