import HTTPServerCore
import HTTPTypes

/// The mock's own error shape (docs/behaviour.md, common rules 5 and 6), for what no provider owns:
/// `{"error":"not_found","message":"no mock route for GET /x"}`.
enum MockError {
    static func response(_ status: HTTPResponse.Status, error: String, message: String) -> ServerResponse {
        .json(
            status,
            JSONWriter.document {
                $0.object {
                    $0.field("error", error)
                    $0.field("message", message)
                }
            })
    }

    static func noRoute(_ request: MockRequest) -> ServerResponse {
        response(.notFound, error: "not_found", message: "no mock route for \(request.methodAndPath)").explained("no route for this path")
    }
}
