/// A problem with one field of the config, worded for the operator who wrote it:
/// `"sessionTimeout" must be a number of milliseconds from 1000 to 86400000, got 5`.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let problem: String

    public init(_ field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    /// The same problem, seen from an enclosing object (`recording` + `directory`).
    public func inside(_ parent: String) -> FieldError {
        FieldError(field.isEmpty ? parent : "\(parent).\(field)", problem)
    }

    public var description: String { field.isEmpty ? problem : "\"\(field)\" \(problem)" }
}
