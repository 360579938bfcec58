/// One message the plugin keeps in a channel for a source: a session's embed, or a summary page.
public enum PostKey: Sendable, Hashable, CustomStringConvertible {
    case session(String)
    case page(Int)

    /// How it is written in storage keys: "s:<session id>" or "p:<page>".
    public var storageName: String {
        switch self {
        case .session(let id): "s:" + id
        case .page(let index): "p:\(index)"
        }
    }

    public init?(storageName: String) {
        if storageName.hasPrefix("s:") {
            self = .session(String(storageName.dropFirst(2)))
        } else if storageName.hasPrefix("p:"), let index = Int(storageName.dropFirst(2)), index >= 0 {
            self = .page(index)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .session(let id): "session \(id)"
        case .page(let index): "summary page \(index + 1)"
        }
    }
}

/// A post of one source (channels are shared: two sources may post in the same one).
public struct PostID: Sendable, Hashable, CustomStringConvertible {
    public let source: String
    public let key: PostKey

    public init(source: String, key: PostKey) {
        self.source = source
        self.key = key
    }

    public var description: String { "\(source) \(key)" }
}
