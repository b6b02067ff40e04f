import HTTPTypes

extension HTTPField.Name {
    /// HookBridge's per-response id, equal to `meta.request_id`.
    static let requestID = HTTPField.Name("X-Request-Id")!
    /// Sybilion's per-response id, equal to `trace_id`.
    static let traceID = HTTPField.Name("X-Trace-Id")!
}
