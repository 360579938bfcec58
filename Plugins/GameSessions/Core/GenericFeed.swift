/// Any JSON collection of sessions, read through a `GenericLayout`'s key paths.
enum GenericFeed {
    static func read(_ document: FeedJSON, layout: GenericLayout) throws(PollFailure) -> FeedSnapshot {
        guard let collection = layout.sessions.resolve(in: document) else {
            throw .wrongShape("nothing at the sessions path \"\(layout.sessions)\"")
        }
        var snapshot = FeedSnapshot()
        var seen = Set<String>()
        var mods = ModTable()
        switch collection {
        case .object(let members):
            snapshot.sessions.reserveCapacity(members.count)
            for member in members {
                let label = "entry \"\(member.key.prefix(40))\""
                var id: String?
                do throws(FeedValueError) {
                    var explicitID: String?
                    if let idPath = layout.id, let value = idPath.resolve(in: member.value), !value.isNull {
                        explicitID = try FeedValues.id(value, idPath.description)
                    }
                    id = explicitID ?? member.key
                    guard let id, !id.isEmpty else { throw FeedValueError(field: "", problem: "has an empty key") }
                    snapshot.add(try session(member.value, id: id, layout: layout, mods: &mods), seen: &seen, label: label)
                } catch {
                    snapshot.skip("\(label): \(note(error))", id: id?.isEmpty == false ? id : nil)
                }
            }
        case .array(let entries):
            guard let idPath = layout.id else {
                throw .wrongShape("the sessions are an array, so each needs an id: set \"generic.id\" to the key path of the id")
            }
            snapshot.sessions.reserveCapacity(entries.count)
            for (index, entry) in entries.enumerated() {
                let label = "entry \(index)"
                var id: String?
                do throws(FeedValueError) {
                    guard case .object = entry else {
                        throw FeedValueError(field: "", problem: "is \(entry.kindName), not an object")
                    }
                    id = try FeedValues.id(idPath.resolve(in: entry), idPath.description)
                    snapshot.add(try session(entry, id: id ?? "", layout: layout, mods: &mods), seen: &seen, label: label)
                } catch {
                    snapshot.skip("\(label): \(note(error))", id: id)
                }
            }
        default:
            throw .wrongShape("expected an object or an array of sessions at \"\(layout.sessions)\", got \(collection.kindName)")
        }
        return snapshot
    }

    private static func note(_ error: FeedValueError) -> String {
        error.field.isEmpty ? error.problem : "\"\(error.field)\" \(error.problem)"
    }

    static func session(_ entry: FeedJSON, id: String, layout: GenericLayout, mods: inout ModTable) throws(FeedValueError) -> GameSession {
        guard case .object = entry else { throw FeedValueError(field: "", problem: "is \(entry.kindName), not an object") }
        func value(_ path: FieldPath?) -> FeedJSON? { path.flatMap { $0.resolve(in: entry) } }
        func name(_ path: FieldPath?) -> String { path?.description ?? "" }

        var session = GameSession(id: id)
        session.name = try FeedValues.text(value(layout.name), name(layout.name))
        // With a name path configured, an entry without a name is junk, not an "Unnamed game".
        if layout.name != nil && session.name == nil {
            throw FeedValueError(field: name(layout.name), problem: "is missing or empty")
        }
        session.players = try FeedValues.count(value(layout.players), name(layout.players))
        session.maxPlayers = try FeedValues.count(value(layout.maxPlayers), name(layout.maxPlayers))
        if let state = try FeedValues.text(value(layout.state), name(layout.state)) {
            let key = state.lowercased()
            session.state = layout.waitingStates.contains(key) ? .waiting : layout.playingStates.contains(key) ? .playing : .other(state)
        }
        let mod = ModInfo(title: try FeedValues.text(value(layout.modName), name(layout.modName)),
                          version: try FeedValues.text(value(layout.modVersion), name(layout.modVersion)),
                          website: EmbedURL.sanitized(try FeedValues.text(value(layout.modURL), name(layout.modURL))))
        session.mod = mods.intern(mod)
        session.map = try FeedValues.text(value(layout.map), name(layout.map))
        session.address = try FeedValues.text(value(layout.address), name(layout.address))
        if session.state == .playing { session.startedAtMs = FeedTime.milliseconds(value(layout.startedAt)) }
        if let list = value(layout.playerList), !list.isNull {
            guard case .array(let players) = list else {
                throw FeedValueError(field: name(layout.playerList), problem: "is \(list.kindName), not a list of players")
            }
            session.roster = players.compactMap { player in
                let text: String?? = switch player {
                case .object: try? FeedValues.text(layout.playerName.resolve(in: player), "")
                default: try? FeedValues.text(player, "")
                }
                return (text ?? nil).map { RosterEntry(name: $0) }
            }
        }
        return session
    }
}
