/// A provider's OpenAPI 3.1 document, built from the routes the router serves
/// (`GET /__admin/openapi/{provider}`, `usagemock openapi PROVIDER`).
///
/// Each documented route is an operation with every status it answers. OpenAPI has no
/// place for methods a path does not serve, so the provider's 405 (with `Allow`), which
/// the router gives any other method on that path, is listed with each operation.
public enum OpenAPIDocument {
    public static func json(for provider: any ServedProvider, version: String) -> [UInt8] {
        let group = provider.routes
        var paths: [(path: String, routes: [Route])] = []
        for route in group.routes where route.documentation != nil {
            if let index = paths.firstIndex(where: { $0.path == route.pattern.description }) {
                paths[index].routes.append(route)
            } else {
                paths.append((route.pattern.description, [route]))
            }
        }
        return JSONWriter.document {
            $0.object {
                $0.field("openapi", "3.1.0")
                $0.key("info")
                $0.object {
                    $0.field("title", "usagemock: \(provider.name)")
                    $0.field("version", version)
                    $0.field("description", "The \(provider.name) endpoints usagemock serves, with every answer it gives, errors included.")
                }
                $0.key("components")
                $0.object {
                    $0.key("securitySchemes")
                    $0.object {
                        $0.key("bearer")
                        $0.object {
                            $0.field("type", "http")
                            $0.field("scheme", "bearer")
                        }
                    }
                }
                $0.key("paths")
                $0.object {
                    for (path, routes) in paths {
                        $0.key(escaping: path)
                        $0.object {
                            let allowed = routes.map(\.method.rawValue).joined(separator: ", ")
                            let refusal = group.methodNotAllowedDocumentation?.with(header: "Allow", .string(choices: [allowed]))
                            for route in routes {
                                $0.key(escaping: route.method.rawValue.lowercased())
                                writeOperation(route, methodNotAllowed: refusal, to: &$0)
                            }
                        }
                    }
                }
            }
        }
    }

    private static func writeOperation(_ route: Route, methodNotAllowed: ResponseDocumentation?, to json: inout JSONWriter) {
        guard let documentation = route.documentation else { return }
        json.object {
            $0.field("summary", documentation.summary)
            $0.key("security")
            $0.array {
                $0.object {
                    $0.key("bearer")
                    $0.array { _ in }
                }
            }
            writeParameters(path: documentation.pathParameters, query: documentation.queryParameters, to: &$0)
            if let body = documentation.requestBody {
                $0.key("requestBody")
                $0.object {
                    $0.field("required", false)
                    $0.key("content")
                    $0.object {
                        $0.key("application/json")
                        $0.object {
                            $0.key("schema")
                            $0.raw(body.json)
                        }
                    }
                }
            }
            $0.key("responses")
            $0.object {
                for response in documentation.responses { writeResponse(response, to: &$0) }
                if let methodNotAllowed { writeResponse(methodNotAllowed, to: &$0) }
            }
        }
    }

    private static func writeParameters(path: [(name: String, description: String)], query: [QueryParameter], to json: inout JSONWriter) {
        // A path segment is any non-empty text without `/`; query parameters are optional.
        let parameters =
            path.map { (name: $0.name, location: "path", description: $0.description, schema: JSONSchema.string(pattern: "^[^/]+$")) }
            + query.map { (name: $0.name, location: "query", description: $0.description, schema: $0.schema) }
        guard !parameters.isEmpty else { return }
        json.key("parameters")
        json.array {
            for parameter in parameters {
                $0.object {
                    $0.field("name", parameter.name)
                    $0.field("in", parameter.location)
                    $0.field("required", parameter.location == "path")
                    $0.field("description", parameter.description)
                    $0.key("schema")
                    $0.raw(parameter.schema.json)
                }
            }
        }
    }

    private static func writeResponse(_ response: ResponseDocumentation, to json: inout JSONWriter) {
        json.key(escaping: String(response.status))
        json.object {
            $0.field("description", response.description)
            if !response.headers.isEmpty {
                $0.key("headers")
                $0.object {
                    for header in response.headers {
                        $0.key(escaping: header.name)
                        $0.object {
                            $0.field("required", true)
                            $0.key("schema")
                            $0.raw(header.schema.json)
                        }
                    }
                }
            }
            $0.key("content")
            $0.object {
                $0.key("application/json")
                $0.object {
                    $0.key("schema")
                    $0.raw(response.schema.json)
                }
            }
        }
    }
}
