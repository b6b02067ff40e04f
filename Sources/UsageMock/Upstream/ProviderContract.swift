/// A provider's contract as the mock serves it: its OpenAPI document, and where an
/// answer of the live API differs from it (status, content type, the headers the
/// document names, the body).
struct ProviderContract: Sendable {
    let document: StrictJSON

    init(provider: any ServedProvider) {
        do {
            document = try StrictJSON.parse(OpenAPIDocument.json(for: provider, version: usagemockVersion))
        } catch {
            preconditionFailure("the \(provider.name) OpenAPI document is not JSON: \(error)")
        }
    }

    func differences(_ exchange: LiveSession.Exchange, route: String, method: UpstreamRequest.Method, status: Int) -> [Finding] {
        let endpoint = exchange.request.endpoint
        guard let documented = document["paths"]?[route]?[method.rawValue.lowercased()]?["responses"]?[String(status)] else {
            preconditionFailure("the contract documents no \(status) for \(method.rawValue) \(route)")
        }
        let response = exchange.response
        guard response.status == status else {
            return [
                Finding(
                    endpoint: endpoint, path: "status", expected: String(status),
                    got: "\(response.status) " + String(decoding: response.body.prefix(120), as: UTF8.self))
            ]
        }
        var findings: [Finding] = []
        let contentType = response.values(of: "Content-Type").first
        if contentType?.split(separator: ";").first?.filter({ $0 != " " }).lowercased() != "application/json" {
            findings.append(
                Finding(endpoint: endpoint, path: "header Content-Type", expected: "application/json", got: contentType ?? "missing"))
        }
        if case .object(let headers)? = documented["headers"] {
            for header in headers {
                guard let schema = header.value["schema"] else { continue }
                guard let value = response.values(of: header.key).first else {
                    findings.append(
                        Finding(endpoint: endpoint, path: "header \(header.key)", expected: SchemaCheck.describe(schema), got: "missing"))
                    continue
                }
                for difference in SchemaCheck.differences(.string(value), against: schema) {
                    findings.append(
                        Finding(endpoint: endpoint, path: "header \(header.key)", expected: difference.expected, got: difference.got))
                }
            }
        }
        if let schema = documented["content"]?["application/json"]?["schema"] {
            for difference in SchemaCheck.differences(exchange.json, against: schema) {
                findings.append(Finding(endpoint: endpoint, path: difference.path, expected: difference.expected, got: difference.got))
            }
        }
        return findings
    }
}
