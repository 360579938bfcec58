/// A problem with one field of a request or of the config, worded for whoever sent it:
/// `"cost" must be a whole number ≥ 0, got "two"`.
struct FieldError: Error, Sendable, CustomStringConvertible {
    let field: String
    let problem: String

    init(_ field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    /// The same problem, seen from an enclosing object (`limiters.command` + `rate`).
    func inside(_ parent: String) -> FieldError {
        FieldError(field.isEmpty ? parent : "\(parent).\(field)", problem)
    }

    var description: String { field.isEmpty ? problem : "\"\(field)\" \(problem)" }
}
