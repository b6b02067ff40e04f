import HTTPServerCore
import HTTPTypes

@testable import UsageMock

/// What every fuzz target shares: the application under the default scenario, and
/// the rules any response of it must keep whatever the request.
public enum FuzzSupport {
    /// The mock as the server runs it (without an access log), built once per process.
    public static let application = MockApplication(scenario: ScenarioLoader.loadDefault())

    public static let keys = ["sk_test_poe", "hb_test_key", "klaim_test_key", "sk_ops_test"]

    /// One request through `MockApplication.respond(to:)`, its answer checked.
    @discardableResult
    public static func respond(
        method: HTTPRequest.Method, target: String, key: String?, body: [UInt8] = [], context: @autoclosure () -> String
    ) -> ServerResponse {
        var fields = HTTPFields()
        if let key { fields[.authorization] = "Bearer \(key)" }
        let head = HTTPRequest(method: method, scheme: nil, authority: nil, path: target, headerFields: fields)
        let response = application.respond(to: ServerRequest(head: head, body: body))
        check(response, context())
        return response
    }

    /// docs/behaviour.md: never a 5xx; every answer is JSON, with `Content-Type: application/json`
    /// and a body the strict parser accepts, but for the dashboard's page (HTML, the
    /// embedded document); 401 carries `WWW-Authenticate`, 405 `Allow`.
    public static func check(_ response: ServerResponse, _ context: String) {
        let status = response.head.status.code
        guard [200, 400, 401, 404, 405].contains(status) else {
            fatalError("unexpected status \(status) for \(context)")
        }
        if status == 200, response.head.headerFields[.contentType] == "text/html; charset=utf-8" {
            guard response.body == PackageResources.dashboard_html else {
                fatalError("an HTML answer that is not the dashboard for \(context)")
            }
            return
        }
        guard response.head.headerFields[.contentType] == "application/json" else {
            fatalError("no JSON Content-Type on \(status) for \(context)")
        }
        // Error bodies echo the request (paths, parameter names), so they are parsed
        // in full; large 200 pages are rows serialised at load time, parsed only when
        // small, to keep the debug + ASan build fast.
        let wellFormed =
            status == 200 && response.body.count > 2048
            ? response.body.first == UInt8(ascii: "{") && response.body.last == UInt8(ascii: "}")
            : isStrictJSON(response.body)
        guard wellFormed else {
            fatalError(
                "response body is not valid JSON for \(context): \(String(decoding: response.body.prefix(300), as: UTF8.self).debugDescription)"
            )
        }
        if status == 401, response.head.headerFields[.wwwAuthenticate] == nil {
            fatalError("401 without WWW-Authenticate for \(context)")
        }
        if status == 405, response.head.headerFields[.allow] == nil {
            fatalError("405 without Allow for \(context)")
        }
    }

    /// The request-body parser's verdict, usable where `StrictJSON` is not visible.
    public static func isStrictJSON(_ bytes: [UInt8]) -> Bool {
        (try? StrictJSON.parse(bytes)) != nil
    }

    /// The fuzz input as bytes.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Percent-encodes every byte outside RFC 3986's unreserved set.
    public static func percentEncode(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(hex[Int(byte >> 4)])
                encoded.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return encoded
    }
}
