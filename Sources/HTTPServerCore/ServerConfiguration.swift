/// How the libmicrohttpd daemon is set up.
public struct ServerConfiguration: Sendable {
    /// Host name or address to bind; `127.0.0.1` keeps the mock off the network.
    public var host: String
    /// Port to bind; 0 lets the kernel pick a free one (see `HTTPServer.port`).
    public var port: Int
    /// Worker threads in libmicrohttpd's epoll thread pool.
    public var threads: Int
    /// Connections served at once; further ones are refused by libmicrohttpd.
    public var connectionLimit: Int
    /// Seconds a connection may stay silent before it is closed, so a slow or idle
    /// client cannot hold a worker.
    public var idleTimeoutSeconds: Int
    /// Largest request head (request line and header fields) accepted.
    public var maxHeadSize: Int
    /// Largest request body accepted, however it is framed.
    public var maxBodySize: Int
    /// Most query parameters accepted. libmicrohttpd keeps each in the connection's
    /// memory pool (4 × `maxHeadSize`); about a thousand overflow it, and libmicrohttpd
    /// 0.9.75 then neither answers nor closes until the idle timeout. More than this
    /// are refused before libmicrohttpd splits them.
    public var maxQueryParameters: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        threads: Int = ServerConfiguration.defaultThreadCount,
        connectionLimit: Int = 1000,
        idleTimeoutSeconds: Int = 30,
        maxHeadSize: Int = 16 * 1024,
        maxBodySize: Int = 1024 * 1024,
        maxQueryParameters: Int = 500
    ) {
        self.host = host
        self.port = port
        self.threads = threads
        self.connectionLimit = connectionLimit
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxHeadSize = maxHeadSize
        self.maxBodySize = maxBodySize
        self.maxQueryParameters = maxQueryParameters
    }

    /// One worker per core.
    public static var defaultThreadCount: Int { max(1, sysconfCores()) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private func sysconfCores() -> Int {
    Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}
