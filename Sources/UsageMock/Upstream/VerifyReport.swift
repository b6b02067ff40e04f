/// One difference between a live API and the contract: the request that showed it, the
/// JSON path (or `status`, `header X`, `order`, …), what the contract says and what came.
public struct Finding: Sendable, Equatable {
    let endpoint: String
    let path: String
    let expected: String
    let got: String
}

/// One check of `verify` and what it found (nothing when it held).
struct CheckOutcome: Sendable {
    let name: String
    let endpoint: String
    let findings: [Finding]
}

/// What `usagemock verify` prints: a table by default, JSON with `--json`.
public struct VerifyReport: Sendable {
    let provider: String
    let baseURL: String
    let requestsSent: Int
    let checks: [CheckOutcome]
    /// Set when the budget ran out before every check ran.
    let unfinished: String?

    public var drifted: Bool { checks.contains { !$0.findings.isEmpty } }

    public var table: String {
        var rows: [[String]] = [["CHECK", "ENDPOINT", "WHERE", "EXPECTED", "GOT"]]
        for check in checks {
            if check.findings.isEmpty {
                rows.append([check.name, check.endpoint, "ok", "", ""])
            }
            for finding in check.findings {
                rows.append([check.name, finding.endpoint, finding.path, finding.expected, finding.got])
            }
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let lines = rows.map { row in
            zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .reversed().drop { $0 == " " }.reversed()
        }
        let drifts = checks.reduce(0) { $0 + $1.findings.count }
        let verdict = drifted ? "DRIFT: \(drifts) difference\(drifts == 1 ? "" : "s") from the contract" : "no drift"
        var text = "usagemock verify \(provider) against \(baseURL): \(checks.count) checks, \(requestsSent) requests\n"
        text += lines.map { String($0) }.joined(separator: "\n") + "\n"
        if let unfinished { text += "note: \(unfinished); the checks after it did not run\n" }
        return text + verdict + "\n"
    }

    public var json: [UInt8] {
        JSONWriter.document {
            $0.object {
                $0.field("provider", provider)
                $0.field("base_url", baseURL)
                $0.field("requests", requestsSent)
                $0.field("drift", drifted)
                $0.field("unfinished", unfinished)
                $0.key("checks")
                $0.array {
                    for check in checks {
                        $0.object {
                            $0.field("check", check.name)
                            $0.field("endpoint", check.endpoint)
                            $0.field("ok", check.findings.isEmpty)
                            $0.key("findings")
                            $0.array {
                                for finding in check.findings {
                                    $0.object {
                                        $0.field("endpoint", finding.endpoint)
                                        $0.field("path", finding.path)
                                        $0.field("expected", finding.expected)
                                        $0.field("got", finding.got)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
