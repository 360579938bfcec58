/// An HTTP answer. It is also an Error, so a handler can `throw` a Discord error response from
/// deep inside validation and the pipeline sends it as is.
struct RESTResponse: Sendable, Error {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    static func json(_ value: WireJSON, status: Int = 200) -> RESTResponse {
        RESTResponse(status: status, headers: [("Content-Type", "application/json")], body: value.bytes)
    }

    static let noContent = RESTResponse(status: 204, headers: [], body: [])

    /// Discord's error shape: `{"message": …, "code": …}` plus `errors` for form errors.
    static func error(status: Int, code: Int, message: String, errors: WireJSON? = nil) -> RESTResponse {
        var object: WireJSON = ["message": .string(message), "code": .int(Int64(code))]
        if let errors { object = object.setting("errors", errors) }
        return .json(object, status: status)
    }

    func adding(_ extra: [(name: String, value: String)]) -> RESTResponse {
        var copy = self
        copy.headers.append(contentsOf: extra)
        return copy
    }
}

/// The JSON error codes the emulator answers with, with Discord's wording.
enum DiscordErrors {
    static let unauthorized = RESTResponse.error(status: 401, code: 0, message: "401: Unauthorized")
    static let notFound = RESTResponse.error(status: 404, code: 0, message: "404: Not Found")
    static let methodNotAllowed = RESTResponse.error(status: 405, code: 0, message: "405: Method Not Allowed")
    static let unknownApplication = RESTResponse.error(status: 404, code: 10002, message: "Unknown Application")
    static let unknownChannel = RESTResponse.error(status: 404, code: 10003, message: "Unknown Channel")
    static let unknownGuild = RESTResponse.error(status: 404, code: 10004, message: "Unknown Guild")
    static let unknownMessage = RESTResponse.error(status: 404, code: 10008, message: "Unknown Message")
    static let unknownWebhook = RESTResponse.error(status: 404, code: 10015, message: "Unknown Webhook")
    static let unknownInteraction = RESTResponse.error(status: 404, code: 10062, message: "Unknown interaction")
    static let oldMessageEditLimit = RESTResponse.error(
        status: 400, code: 30046, message: "Maximum number of edits to messages older than 1 hour reached. Try again later")
    static let alreadyAcknowledged = RESTResponse.error(status: 400, code: 40060, message: "Interaction has already been acknowledged.")
    static let missingAccess = RESTResponse.error(status: 403, code: 50001, message: "Missing Access")
    static let cannotEditOthersMessage = RESTResponse.error(status: 403, code: 50005, message: "Cannot edit a message authored by another user")
    static let emptyMessage = RESTResponse.error(status: 400, code: 50006, message: "Cannot send an empty message")
    static let invalidJSON = RESTResponse.error(status: 400, code: 50109, message: "The request body contains invalid JSON.")

    static func invalidFormBody(_ errors: WireJSON) -> RESTResponse {
        .error(status: 400, code: 50035, message: "Invalid Form Body", errors: errors)
    }
}
