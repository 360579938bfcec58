/// A path into a feed entry, written with dots: `mod.name`, `players.0`, `stats.online`.
///
/// A segment of digits also indexes arrays; `\.` writes a dot that belongs to a key. The empty
/// path is the value itself.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public let segments: [String]

    public init(_ text: String) {
        var segments: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "." {
                segments.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaped { current.append("\\") }
        if !text.isEmpty { segments.append(current) }
        self.segments = segments
    }

    public var isEmpty: Bool { segments.isEmpty }

    public var description: String {
        segments.map { $0.replacingDots }.joined(separator: ".")
    }

    /// The value at this path under `root`, or nil when any step is missing.
    public func resolve(in root: FeedJSON) -> FeedJSON? {
        var value = root
        for segment in segments {
            switch value {
            case .object(let members):
                guard let member = members.first(where: { $0.key == segment }) else { return nil }
                value = member.value
            case .array(let items):
                guard let index = Int(segment), items.indices.contains(index) else { return nil }
                value = items[index]
            default:
                return nil
            }
        }
        return value
    }
}

private extension String {
    var replacingDots: String {
        contains(".") ? split(separator: ".", omittingEmptySubsequences: false).joined(separator: "\\.") : self
    }
}
