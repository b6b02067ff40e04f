import HTTPServerCore
import HTTPTypes

/// `GET /__admin/`: the dashboard, one HTML document with its CSS and JavaScript
/// (`Resources/dashboard.html`, compiled into the binary: no file, CDN or framework is
/// fetched). The page reads and changes the mock through the other admin routes, from
/// the mock's own origin, so it works offline and with `--no-cors`.
enum DashboardRoute {
    static let path = "/__admin/"

    static func group() -> RouteGroup {
        RouteGroup(
            routes: [Route(.get, path) { _ in ServerResponse(status: .ok, headerFields: fields, body: PackageResources.dashboard_html) }],
            methodNotAllowed: AdminRoutes.methodNotAllowed
        )
    }

    /// The page may run only its own inline script and style and talk only to its own
    /// origin; no other site may frame it (clickjacking an admin page).
    private static let fields: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-cache",
        HTTPField.Name("Content-Security-Policy")!: "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ]

    /// Whether `request` asks for the page itself, which holds no data: it is served
    /// without the admin token, and asks for the token for its own requests.
    static func isPage(_ request: MockRequest) -> Bool {
        request.method == .get && request.target.rawPath == path
    }
}
