import BotHostCore
import COpus

/// A libopus call that failed: its error code and libopus's own text for it (`opus_strerror`).
public struct OpusError: Error, Equatable, CustomStringConvertible {
    /// The negative `OPUS_*` code libopus returned.
    public let code: Int32
    /// What was being done, e.g. "encode".
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    public var message: String { String(cString: opus_strerror(code)) }
    public var description: String { "opus \(operation) failed: \(message) (\(code))" }
}
