import HTTPServerCore
import HTTPTypes

/// `GET /`: what this mock serves, for someone who opens it in a browser or curls it
/// first. No keys: unlike `/__admin/`, it is open to every origin like the providers.
enum IndexRoute {
    static func group(_ state: ScenarioState, adminRoutes: [Route]) -> RouteGroup {
        RouteGroup(
            routes: [
                Route(.get, "/") { _ in
                    let scenario = state.served.scenario
                    return .json(
                        .ok,
                        JSONWriter.document {
                            $0.object {
                                $0.field("name", "usagemock")
                                $0.field("version", usagemockVersion)
                                $0.field("scenario", scenario.name)
                                $0.key("providers")
                                $0.object {
                                    for provider in scenario.providers {
                                        $0.key(escaping: provider.name)
                                        $0.array { json in for route in provider.routes.routes { json.string(route.summary) } }
                                    }
                                }
                                $0.key("admin")
                                $0.array { json in for route in adminRoutes { json.string(route.summary) } }
                            }
                        })
                }
            ],
            methodNotAllowed: AdminRoutes.methodNotAllowed
        )
    }
}
