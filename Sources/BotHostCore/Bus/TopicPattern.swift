/// Bus topics are dot-separated segments ("discord.MESSAGE_CREATE"). A subscription pattern may use
/// "*" for exactly one segment and a final ">" for one or more remaining segments.
package struct TopicPattern: Hashable, Sendable {
    package enum Segment: Hashable, Sendable {
        case literal(Substring)
        case one        // *
        case rest       // >
    }

    package let text: String
    package let segments: [Segment]

    package static let maxLength = 256

    /// Parses a subscription pattern; nil with a reason when malformed.
    package static func parse(_ text: String) -> Result<TopicPattern, TopicError> {
        guard !text.isEmpty, text.utf8.count <= maxLength else { return .failure(.length(text)) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var segments: [Segment] = []
        for (index, part) in parts.enumerated() {
            if part.isEmpty { return .failure(.emptySegment(text)) }
            switch part {
            case "*": segments.append(.one)
            case ">":
                guard index == parts.count - 1 else { return .failure(.restNotLast(text)) }
                segments.append(.rest)
            default:
                if part.contains("*") || part.contains(">") { return .failure(.wildcardInSegment(text)) }
                segments.append(.literal(part))
            }
        }
        return .success(TopicPattern(text: text, segments: segments))
    }

    /// Validates a concrete topic for publishing or serving (no wildcards).
    package static func validateTopic(_ text: String) -> TopicError? {
        switch parse(text) {
        case .failure(let error): return error
        case .success(let pattern):
            return pattern.segments.allSatisfy({ if case .literal = $0 { true } else { false } })
                ? nil : .wildcardInTopic(text)
        }
    }

    package func matches(_ topic: String) -> Bool {
        var remaining = topic[...]
        for (index, segment) in segments.enumerated() {
            if remaining.isEmpty && index > 0 { return false }
            let part: Substring
            if let dot = remaining.firstIndex(of: ".") {
                part = remaining[..<dot]
                remaining = remaining[remaining.index(after: dot)...]
                if remaining.isEmpty { return false }
            } else {
                part = remaining
                remaining = remaining[remaining.endIndex...]
            }
            switch segment {
            case .rest: return true
            case .one: continue
            case .literal(let literal): if literal != part { return false }
            }
        }
        return remaining.isEmpty
    }
}

package enum TopicError: Error, CustomStringConvertible, Equatable {
    case length(String)
    case emptySegment(String)
    case restNotLast(String)
    case wildcardInSegment(String)
    case wildcardInTopic(String)

    package var description: String {
        switch self {
        case .length(let t): "topic '\(t.prefix(64))' must be 1–\(TopicPattern.maxLength) bytes"
        case .emptySegment(let t): "topic '\(t)' has an empty segment (two dots, or a dot at an end)"
        case .restNotLast(let t): "in '\(t)', '>' may only be the last segment"
        case .wildcardInSegment(let t): "in '\(t)', '*' and '>' must be whole segments"
        case .wildcardInTopic(let t): "'\(t)' has a wildcard; publish and serve take a concrete topic"
        }
    }
}
