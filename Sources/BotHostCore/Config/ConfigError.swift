import BotHostJSON
/// A problem with plugins.json, precise enough to fix without reading any documentation: which
/// file, where in it (a JSON path, and line/column for syntax errors), what is wrong, what to do.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    /// A JSON path such as `$.plugins[2].enabled`; empty for problems with the file as a whole.
    public let path: String
    public let problem: String
    public let fix: String
    /// Set for syntax errors (1-based).
    public let line: Int?
    public let column: Int?

    public init(file: String, path: String, problem: String, fix: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.path = path
        self.problem = problem
        self.fix = fix
        self.line = line
        self.column = column
    }

    /// e.g. `plugins.json: $.plugins[1].enabled: expected true or false, found "yes". Fix: …`
    public var description: String {
        var text = file
        if let line, let column { text += ":\(line):\(column)" }
        text += ": "
        if !path.isEmpty { text += path + ": " }
        text += problem + ". Fix: " + fix
        if let last = fix.last, !".?!".contains(last) { text += "." }
        return text
    }
}

extension ConfigError {
    /// Wraps a JSON syntax error, keeping its position.
    package init(file: String, syntax error: JSONSyntaxError) {
        self.init(file: file, path: error.path,
                  problem: "expected \(error.expected), found \(error.found)",
                  fix: error.hint ?? "write \(error.expected) at line \(error.line), column \(error.column)",
                  line: error.line, column: error.column)
    }
}

/// "Did you mean …?" for misspelt keys and values.
package enum Suggestion {
    /// The candidate closest to `word` (case-insensitive edit distance ≤ 2), else the only
    /// candidate that `word` abbreviates, if any.
    package static func closest(to word: String, among candidates: [String]) -> String? {
        let lowered = Array(word.lowercased().unicodeScalars)
        guard lowered.count <= 128 else { return nil }  // long junk gets no suggestion
        var best: (candidate: String, distance: Int)? = nil
        for candidate in candidates {
            let distance = editDistance(lowered, Array(candidate.lowercased().unicodeScalars))
            if distance <= 2, distance < max(lowered.count, 1), distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        if let best { return best.candidate }
        // "warn" → "warning": a clear abbreviation of exactly one candidate.
        let prefixed = candidates.filter { $0.lowercased().hasPrefix(word.lowercased()) }
        return lowered.count >= 3 && prefixed.count == 1 ? prefixed.first : nil
    }

    /// Levenshtein distance (insert, delete, substitute).
    package static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitute, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
