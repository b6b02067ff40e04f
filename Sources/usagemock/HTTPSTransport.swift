#if LiveChecks
import AsyncHTTPClient
import NIOCore
import NIOSSL
import UsageMock

/// `UpstreamTransport` over AsyncHTTPClient: HTTPS with the system's trust roots (plus
/// `--ca-file`), no redirects followed (a redirect is not the API's answer), timeouts.
/// A refused connection or a failed handshake is reported at once: AsyncHTTPClient
/// would otherwise try again until the connect timeout and only then say why.
///
/// Not URLSession: on Linux, swift-corelibs-foundation's URLSession (libcurl) trusts
/// only the system CA bundle, so no test could run it against a local HTTPS upstream
/// with a certificate made for the test; AsyncHTTPClient takes trust roots from a file.
struct HTTPSTransport: UpstreamTransport {
    let client: HTTPClient
    let timeout: TimeAmount

    /// Runs `body` with a client, shut down afterwards.
    static func with<T: Sendable>(caFile: String?, timeoutSeconds: Int64, _ body: (HTTPSTransport) async throws -> T) async throws -> T {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.additionalTrustRoots = [.file(caFile)] }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(timeoutSeconds), read: .seconds(timeoutSeconds))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(HTTPSTransport(client: client, timeout: .seconds(timeoutSeconds))))
        } catch {
            result = .failure(error)
        }
        try await client.shutdown()
        return try result.get()
    }

    func send(_ request: UpstreamRequest, to baseURL: String) async throws(UpstreamFailure) -> UpstreamResponse {
        var outgoing = HTTPClientRequest(url: baseURL + request.target)
        outgoing.method = request.method == .get ? .GET : .POST
        outgoing.headers.add(name: "Accept", value: "application/json")
        outgoing.headers.add(name: "User-Agent", value: "usagemock/\(usagemockVersion)")
        if let token = request.token { outgoing.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body = request.body {
            outgoing.headers.add(name: "Content-Type", value: "application/json")
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            let body = try await response.body.collect(upTo: 64 << 20)
            return UpstreamResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer: body))
        } catch let error as NIOSSLError {
            throw UpstreamFailure("TLS failure: \(error)")
        } catch let error as BoringSSLError {
            throw UpstreamFailure("TLS failure: \(error)")
        } catch {
            throw UpstreamFailure("\(error)")
        }
    }
}
#endif
