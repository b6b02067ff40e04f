import HTTPTypes

/// An error status the mock answers on purpose, from a fault or an
/// `X-Usagemock-Status` header, in the provider's own error shape.
public enum InjectedStatus: Int, CaseIterable, Sendable, Comparable {
    /// Poe's documented answer when the point balance is too low.
    case paymentRequired = 402
    case tooManyRequests = 429
    case internalServerError = 500
    case serviceUnavailable = 503

    /// The HTTP status, with its reason phrase.
    public var status: HTTPResponse.Status {
        switch self {
        case .paymentRequired: HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required")
        case .tooManyRequests: .tooManyRequests
        case .internalServerError: .internalServerError
        case .serviceUnavailable: .serviceUnavailable
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The statuses every provider can be made to answer; a provider adds its own.
    public static let common: [InjectedStatus] = [.tooManyRequests, .internalServerError, .serviceUnavailable]
}

extension ServedProvider {
    public var injectableStatuses: [InjectedStatus] { InjectedStatus.common }
}
