/// A `bothost_status` code, with names for the codes the ABI defines.
public struct StatusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ value: Int) { rawValue = Int32(truncatingIfNeeded: value) }

    public static let ok = StatusCode(BOTHOST_OK)
    public static let invalidArgument = StatusCode(BOTHOST_E_INVALID_ARGUMENT)
    public static let notFound = StatusCode(BOTHOST_E_NOT_FOUND)
    public static let stopped = StatusCode(BOTHOST_E_STOPPED)
    public static let timeout = StatusCode(BOTHOST_E_TIMEOUT)
    public static let noResponder = StatusCode(BOTHOST_E_NO_RESPONDER)
    public static let queueFull = StatusCode(BOTHOST_E_QUEUE_FULL)
    public static let conflict = StatusCode(BOTHOST_E_CONFLICT)
    public static let unsupported = StatusCode(BOTHOST_E_UNSUPPORTED)
    public static let io = StatusCode(BOTHOST_E_IO)
    public static let tooLarge = StatusCode(BOTHOST_E_TOO_LARGE)
    public static let cancelled = StatusCode(BOTHOST_E_CANCELLED)
    public static let internalError = StatusCode(BOTHOST_E_INTERNAL)
    public static let denied = StatusCode(BOTHOST_E_DENIED)
    /// The first code a plugin may use for its own failures (BOTHOST_E_PLUGIN).
    public static let plugin = StatusCode(BOTHOST_E_PLUGIN)

    public var description: String {
        switch self {
        case .ok: "OK"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .notFound: "NOT_FOUND"
        case .stopped: "STOPPED"
        case .timeout: "TIMEOUT"
        case .noResponder: "NO_RESPONDER"
        case .queueFull: "QUEUE_FULL"
        case .conflict: "CONFLICT"
        case .unsupported: "UNSUPPORTED"
        case .io: "IO"
        case .tooLarge: "TOO_LARGE"
        case .cancelled: "CANCELLED"
        case .internalError: "INTERNAL"
        case .denied: "DENIED"
        default: rawValue >= StatusCode.plugin.rawValue ? "PLUGIN(\(rawValue))" : "STATUS(\(rawValue))"
        }
    }
}

/// A failed host call (code + the host's `last_error` text), a failed request, or a plugin's own
/// failure. Throw one from `init(host:)` or `start()` to refuse with a clear reason.
public struct PluginError: Error, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    /// For bus replies with an error status: the server's payload (by convention `{"error": "…"}`).
    public var payload: [UInt8]

    public init(_ code: StatusCode = .plugin, _ message: String, payload: [UInt8] = []) {
        self.code = code
        self.message = message
        self.payload = payload
    }

    public var description: String { message.isEmpty ? "\(code)" : "\(message) (\(code))" }
}

/// A readable one-line reason for any error a plugin throws (shown to operators).
func describe(_ error: any Error) -> String {
    switch error {
    case let error as PluginError: error.message.isEmpty ? error.description : error.message
    case let error as DecodingError: describe(error)
    default: String(describing: error)
    }
}

/// DecodingError's default text is long and nested; operators need the path and the problem.
private func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        return keys.isEmpty ? "the top level" : keys.joined(separator: ".")
    }
    switch error {
    case .keyNotFound(let key, let context):
        return "missing \"\(key.stringValue)\" at \(path(context))"
    case .typeMismatch(let type, let context):
        return "\(path(context)) should be \(type): \(context.debugDescription)"
    case .valueNotFound(let type, let context):
        return "\(path(context)) is null but should be \(type)"
    case .dataCorrupted(let context):
        return "\(path(context)): \(context.debugDescription)"
    @unknown default:
        return String(describing: error)
    }
}
