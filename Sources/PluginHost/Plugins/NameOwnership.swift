import Synchronization

/// Which running plugin owns which names (ABI "NAMES", minor 4). A plugin owns its own name and
/// the names its descriptor declares; owning a name gives it the bus topics at and under that name
/// (serve and publish) and the slash command of that name. Names are exclusive: no two plugins own
/// the same name or one under the other's, so every topic and command has at most one owner.
package final class NameOwnership: Sendable {
    /// Why a claim was refused: the name asked for and the plugin (or the host) that has it.
    package struct Clash: Sendable, Equatable {
        package let name: String
        package let ownedName: String
        package let owner: String
    }

    /// Names only the host uses on the bus (Discord's dispatches, the host's own news).
    package static let hostNames = ["discord", "host"]
    package static let hostOwner = "the host"

    private let claims = Mutex<[String: String]>([:])

    /// Whether `text` can be an owned name: dot-separated segments of a-z, 0-9, '_' and '-', at most
    /// 128 characters.
    package static func isValidName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...128).contains(bytes.count), bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return false }
        var previousWasDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousWasDot { return false }
                previousWasDot = true
                continue
            }
            previousWasDot = false
            let allowed = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            if !allowed { return false }
        }
        return true
    }

    /// True when one name is the other or lies under it ("games" and "games.lobby").
    package static func overlap(_ a: String, _ b: String) -> Bool {
        a == b || a.hasPrefix(b + ".") || b.hasPrefix(a + ".")
    }

    /// Gives `names` to `owner`, all or none. Names the owner already holds are fine; a name that
    /// overlaps another owner's (or the host's) is refused with the first clash.
    package func claim(_ names: [String], for owner: String) -> Clash? {
        claims.withLock { table -> Clash? in
            for name in names {
                if let reserved = Self.hostNames.first(where: { Self.overlap($0, name) }) {
                    return Clash(name: name, ownedName: reserved, owner: Self.hostOwner)
                }
                if let held = table.first(where: { $0.value != owner && Self.overlap($0.key, name) }) {
                    return Clash(name: name, ownedName: held.key, owner: held.value)
                }
            }
            for name in names { table[name] = owner }
            return nil
        }
    }

    /// Gives back every name `owner` holds (it stopped, or was refused).
    package func release(_ owner: String) {
        claims.withLock { table in table = table.filter { $0.value != owner } }
    }

    /// The names `owner` holds, sorted.
    package func names(of owner: String) -> [String] {
        claims.withLock { $0.filter { $0.value == owner }.map(\.key).sorted() }
    }

    /// The owner of a topic: whoever owns the topic itself or a name it lies under.
    package func owner(ofTopic topic: String) -> (name: String, owner: String)? {
        claims.withLock { table in
            guard !table.isEmpty else { return nil }
            // Every prefix ending before a dot, then the whole topic: names are exclusive, so at
            // most one of them is owned.
            var end = topic.utf8.startIndex
            while true {
                let next = topic.utf8[end...].firstIndex(of: UInt8(ascii: ".")) ?? topic.utf8.endIndex
                let prefix = String(topic[..<next])
                if let owner = table[prefix] { return (prefix, owner) }
                if next == topic.utf8.endIndex { return nil }
                end = topic.utf8.index(after: next)
            }
        }
    }

    /// The owner of a slash command name (commands are one segment: only an exact name owns it).
    package func owner(ofCommand name: String) -> String? {
        claims.withLock { $0[name] }
    }
}
