import HTTPServerCore
import HTTPTypes

/// `GET /__admin/openapi/{provider}`: the provider's OpenAPI document, built from the
/// routes of the scenario served.
enum OpenAPIAdminRoutes {
    static func group(_ state: ScenarioState) -> RouteGroup {
        RouteGroup(
            routes: [
                Route(.get, "/__admin/openapi/{provider}") { request in
                    let name = request.pathParameters["provider", default: ""]
                    guard let provider = state.served.scenario.providers.first(where: { $0.name == name }) else {
                        let known = state.served.scenario.providers.map(\.name).joined(separator: ", ")
                        return MockError.response(
                            .notFound, error: "not_found", message: "no provider \"\(name)\"; expected one of: \(known)")
                    }
                    return .json(.ok, OpenAPIDocument.json(for: provider, version: usagemockVersion))
                }
            ],
            methodNotAllowed: AdminRoutes.methodNotAllowed
        )
    }
}

/// The version `usagemock --version` prints and the OpenAPI documents carry.
public let usagemockVersion = "0.1.0"
