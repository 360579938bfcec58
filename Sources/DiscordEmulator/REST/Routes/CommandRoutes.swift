/// Application commands: list and bulk overwrite, global and per guild. An overwrite keeps the
/// id of a command whose name and type survive, and bumps `version` only when it changed.
extension RESTService {
    func listCommands(_ applicationID: UInt64, guildID: UInt64?) throws(RESTResponse) -> RESTResponse {
        try checkCommandScope(applicationID, guildID: guildID)
        let commands = world.withLock { $0.commands.commands(guildID: guildID) }
        return .json(.array(commands.map(\.object)))
    }

    func overwriteCommands(_ applicationID: UInt64, guildID: UInt64?, _ request: RESTRequest) throws(RESTResponse) -> RESTResponse {
        try checkCommandScope(applicationID, guildID: guildID)
        let definitions = try CommandValidation.validate(try request.jsonBody())
        let stored = world.withLock { world -> [StoredCommand] in
            let existing = world.commands.commands(guildID: guildID)
            let commands = definitions.map { definition -> StoredCommand in
                let type = Int(definition["type"]?.int64Value ?? 1)
                let name = definition["name"]?.stringValue ?? ""
                let description = type == 1 ? (definition["description"]?.stringValue ?? "") : ""
                let previous = existing.first { $0.type == type && $0.name == name }
                let id = previous?.id ?? env.snowflakes.next()
                var object = commandObject(definition, id: id, version: previous?.version ?? 0, applicationID: applicationID, guildID: guildID)
                var version = previous?.version ?? env.snowflakes.next()
                if let previous, previous.object != object { version = env.snowflakes.next() }
                object = object.setting("version", .snowflake(version))
                return StoredCommand(id: id, version: version, guildID: guildID, type: type, name: name, description: description, object: object)
            }
            world.commands.overwrite(guildID: guildID, with: commands)
            return commands
        }
        return .json(.array(stored.map(\.object)))
    }

    private func checkCommandScope(_ applicationID: UInt64, guildID: UInt64?) throws(RESTResponse) {
        guard applicationID == env.configuration.applicationID else { throw DiscordErrors.missingAccess }
        if let guildID, env.topology.guild(guildID) == nil { throw DiscordErrors.unknownGuild }
    }

    /// The command as GET returns it, with Discord's defaults filled in.
    private func commandObject(_ definition: WireJSON, id: UInt64, version: UInt64, applicationID: UInt64, guildID: UInt64?) -> WireJSON {
        let type = definition["type"]?.int64Value ?? 1
        let permissions: WireJSON = switch definition["default_member_permissions"] {
        case .some(.string(let text)): .string(text)
        case .some(.int(let value)): .string(String(value))
        default: .null
        }
        var object: WireJSON = [
            "id": .snowflake(id),
            "application_id": .snowflake(applicationID),
            "version": .snowflake(version),
            "default_member_permissions": permissions,
            "type": .int(type),
            "name": definition["name"] ?? "",
            "name_localizations": definition["name_localizations"] ?? nil,
            "description": type == 1 ? (definition["description"] ?? "") : "",
            "description_localizations": definition["description_localizations"] ?? nil,
        ]
        if let guildID {
            object = object.setting("guild_id", .snowflake(guildID))
        } else {
            object = object.setting("dm_permission", definition["dm_permission"] ?? true)
                .setting("contexts", definition["contexts"] ?? nil)
                .setting("integration_types", definition["integration_types"] ?? [0])
        }
        if let options = definition["options"]?.arrayValue, !options.isEmpty { object = object.setting("options", .array(options)) }
        return object.setting("nsfw", definition["nsfw"] ?? false)
    }
}
