import HTTPTypes
import MicroHTTPDServer

/// The mock's own surface under `/__admin/` (SPEC.md section 7).
enum AdminRoutes {
    static func group(scenarioName: String) -> RouteGroup {
        let health = JSONWriter.document {
            $0.object {
                $0.field("status", "ok")
                $0.field("scenario", scenarioName)
            }
        }
        return RouteGroup(
            routes: [Route(.get, "/__admin/health") { _ in .json(.ok, health) }],
            methodNotAllowed: methodNotAllowed
        )
    }

    static let methodNotAllowed: @Sendable (MockRequest) -> ServerResponse = { request in
        MockError.response(.methodNotAllowed, error: "method_not_allowed", message: "\(request.methodAndPath) is not allowed")
    }
}
