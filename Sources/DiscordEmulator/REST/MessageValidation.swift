/// Message bodies as Discord validates them: content and embed limits, nonce shape, flags.
struct MessageInput: Sendable {
    /// nil when absent; "" when sent as null (clears it on edit).
    var content: String?
    var embeds: [WireJSON]?
    var components: [WireJSON]?
    var flags: Int?
    var tts = false
    var nonce: WireJSON?
    var enforceNonce = false
    var referencedMessageID: UInt64?
    var allowedMentions: WireJSON?
    var hasOtherContent = false

    /// Create (and interaction responses) need something to show.
    var isEmpty: Bool {
        (content ?? "").isEmpty && (embeds ?? []).isEmpty && (components ?? []).isEmpty && !hasOtherContent
    }

    /// Mentioned users in `content` that `allowed_mentions` lets through.
    func mentionIDs(defaultParsesUsers: Bool = true) -> [UInt64] {
        let ids = MessagePayloads.mentionedIDs(in: content ?? "")
        guard let allowed = allowedMentions, allowed.objectMembers != nil else { return defaultParsesUsers ? ids : [] }
        let parse = allowed["parse"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if parse.contains("users") { return ids }
        let users = allowed["users"]?.arrayValue?.compactMap(\.snowflake) ?? []
        return ids.filter(users.contains)
    }
}

enum MessageValidation {
    static let maxContent = 2000
    static let maxEmbeds = 10
    static let maxEmbedTotal = 6000

    static func parse(_ body: WireJSON) throws(RESTResponse) -> MessageInput {
        var errors = FormErrors()
        var input = MessageInput()

        if let content = body["content"] {
            switch content {
            case .null: input.content = ""
            case .string(let text):
                if length(text) > maxContent { errors.maxLength(["content"], maxContent) }
                input.content = text
            default: errors.notString(["content"], content)
            }
        }
        if let embeds = body["embeds"] {
            switch embeds {
            case .null: input.embeds = []
            case .array(let list):
                if list.count > maxEmbeds { errors.maxLength(["embeds"], maxEmbeds) }
                var total = 0
                for (index, embed) in list.enumerated() {
                    total += validateEmbed(embed, path: ["embeds", String(index)], errors: &errors)
                }
                if total > maxEmbedTotal {
                    errors.add(["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of \(maxEmbedTotal)")
                }
                input.embeds = list.map(normalizedEmbed)
            default: errors.add(["embeds"], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
            }
        }
        if let components = body["components"] {
            switch components {
            case .null: input.components = []
            case .array(let rows):
                if rows.count > 5 { errors.maxLength(["components"], 5) }
                validateComponents(rows, errors: &errors)
                input.components = rows
            default: errors.add(["components"], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
            }
        }
        if let flags = body["flags"], !flags.isNull {
            if let value = flags.int64Value, value >= 0, value < 1 << 31 { input.flags = Int(value) } else {
                errors.add(["flags"], "NUMBER_TYPE_COERCE", "Value \"\(flags.text)\" is not int.")
            }
        }
        if let tts = body["tts"]?.boolValue { input.tts = tts }
        if let nonce = body["nonce"], !nonce.isNull {
            switch nonce {
            case .string(let text) where length(text) <= 25: input.nonce = nonce
            case .int: input.nonce = nonce
            case .string: errors.maxLength(["nonce"], 25)
            default: errors.add(["nonce"], "NONCE_TYPE_INVALID", "Nonce must be an integer or a string.")
            }
        }
        input.enforceNonce = body["enforce_nonce"]?.boolValue ?? false
        if let reference = body["message_reference"], !reference.isNull {
            guard let id = reference["message_id"]?.snowflake else {
                errors.required(["message_reference", "message_id"])
                throw errors.response
            }
            input.referencedMessageID = id
        }
        input.allowedMentions = body["allowed_mentions"]
        for key in ["sticker_ids", "attachments", "poll", "files"] {
            if let value = body[key], !(value.arrayValue?.isEmpty ?? value.isNull) { input.hasOtherContent = true }
        }
        guard errors.isEmpty else { throw errors.response }
        return input
    }

    /// Validates one embed and returns how many characters it adds to the 6000 total.
    private static func validateEmbed(_ embed: WireJSON, path: [String], errors: inout FormErrors) -> Int {
        guard embed.objectMembers != nil else {
            errors.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
            return 0
        }
        var total = 0
        func text(_ value: WireJSON?, _ field: [String], max: Int, required: Bool = false) {
            guard let value, !value.isNull else {
                if required { errors.required(path + field) }
                return
            }
            guard let string = value.stringValue else { return errors.notString(path + field, value) }
            let trimmed = length(string.trimmingWhitespace)
            if length(string) > max { errors.maxLength(path + field, max) }
            if required && trimmed == 0 { errors.required(path + field) }
            total += trimmed
        }
        text(embed["title"], ["title"], max: 256)
        text(embed["description"], ["description"], max: 4096)
        if let url = embed["url"]?.stringValue, length(url) > 2048 { errors.maxLength(path + ["url"], 2048) }
        if let color = embed["color"], !color.isNull {
            if let value = color.int64Value {
                if value < 0 { errors.add(path + ["color"], "NUMBER_TYPE_MIN", "int value should be greater than or equal to 0.") }
                if value > 0xFFFFFF { errors.add(path + ["color"], "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215.") }
            } else {
                errors.add(path + ["color"], "NUMBER_TYPE_COERCE", "Value \"\(color.text)\" is not int.")
            }
        }
        if let footer = embed["footer"], !footer.isNull { text(footer["text"], ["footer", "text"], max: 2048, required: true) }
        if let author = embed["author"], !author.isNull { text(author["name"], ["author", "name"], max: 256, required: true) }
        if let fields = embed["fields"], !fields.isNull {
            let list = fields.arrayValue ?? []
            if list.count > 25 { errors.maxLength(path + ["fields"], 25) }
            for (index, field) in list.enumerated() {
                text(field["name"], ["fields", String(index), "name"], max: 256, required: true)
                text(field["value"], ["fields", String(index), "value"], max: 1024, required: true)
            }
        }
        return total
    }

    /// An embed as Discord stores and returns it: `type` first ("rich" unless given), null
    /// members dropped, every field with `inline`.
    static func normalizedEmbed(_ embed: WireJSON) -> WireJSON {
        guard let members = embed.objectMembers else { return embed }
        var result: WireJSON = ["type": embed["type"]?.stringValue.map(WireJSON.string) ?? "rich"]
        for member in members where member.key != "type" && !member.value.isNull {
            var value = member.value
            if member.key == "fields", let fields = value.arrayValue {
                value = .array(fields.map { field in field["inline"] == nil ? field.setting("inline", false) : field })
            }
            result = result.setting(member.key, value)
        }
        return result
    }

    /// Buttons and selects: the parts clients most often get wrong.
    private static func validateComponents(_ rows: [WireJSON], errors: inout FormErrors) {
        for (r, row) in rows.enumerated() {
            let path = ["components", String(r)]
            guard row["type"]?.int64Value == 1 else { continue }
            let children = row["components"]?.arrayValue ?? []
            if children.isEmpty || children.count > 5 { errors.badLength(path + ["components"], 1, 5) }
            for (c, child) in children.enumerated() {
                let childPath = path + ["components", String(c)]
                let style = child["style"]?.int64Value ?? 0
                let isLink = child["type"]?.int64Value == 2 && style == 5
                let isPremium = child["type"]?.int64Value == 2 && style == 6
                if let customID = child["custom_id"]?.stringValue {
                    if length(customID) < 1 || length(customID) > 100 { errors.badLength(childPath + ["custom_id"], 1, 100) }
                } else if !isLink && !isPremium {
                    errors.add(childPath, "COMPONENT_CUSTOM_ID_REQUIRED", "A custom id is required")
                }
                if isLink && child["url"]?.stringValue == nil { errors.required(childPath + ["url"]) }
            }
        }
    }

    /// Discord counts Unicode code points.
    static func length(_ text: String) -> Int { text.unicodeScalars.count }
    static func length(_ text: Substring) -> Int { text.unicodeScalars.count }
}

extension String {
    var trimmingWhitespace: Substring {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text
    }
}
