import HTTPServerCore
import HTTPTypes

/// The mock's own surface under `/__admin/` (docs/behaviour.md, the admin surface).
enum AdminRoutes {
    /// The first segment of every admin path.
    static let firstSegment = "__admin"

    /// `droppedLogLines`: log lines standard error did not take (see `BatchedStandardError`).
    static func group(state: ScenarioState, droppedLogLines: @escaping @Sendable () -> Int) -> RouteGroup {
        RouteGroup(
            routes: [
                Route(.get, "/__admin/health") { _ in
                    .json(
                        .ok,
                        JSONWriter.document {
                            $0.object {
                                $0.field("status", "ok")
                                $0.field("scenario", state.served.scenario.name)
                                $0.field("log_lines_dropped", droppedLogLines())
                            }
                        })
                }
            ],
            methodNotAllowed: methodNotAllowed
        )
    }

    @Sendable static func methodNotAllowed(_ request: MockRequest) -> ServerResponse {
        MockError.response(.methodNotAllowed, error: "method_not_allowed", message: "\(request.methodAndPath) is not allowed")
    }
}
