/// A problem with one field of a request or of a config, worded for whoever wrote it:
/// `"sources[0].interval" must be a number of seconds from 10 to 86400, got 5`.
public struct FieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field's path (`limiters.command.rate`, `sources[0]`); empty for the document as a whole.
    public let field: String
    public let problem: String

    public init(_ field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    /// The same problem, seen from an enclosing object: `sources[0]` + `interval` is
    /// `sources[0].interval`, `sources` + `[2]` is `sources[2]`.
    public func inside(_ parent: String) -> FieldError {
        guard !field.isEmpty else { return FieldError(parent, problem) }
        return FieldError(field.hasPrefix("[") ? parent + field : "\(parent).\(field)", problem)
    }

    public var description: String { field.isEmpty ? problem : "\"\(field)\" \(problem)" }
}
