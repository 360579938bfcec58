import DiscordEmulator
import Testing

/// Every REST request the local Discord received during a test must exist in Discord's official
/// OpenAPI spec (route and method), and its JSON body must validate against the operation's
/// request schema.
func expectRequestsConformToDiscordSpec(_ emulator: DiscordEmulator, sourceLocation: SourceLocation = #_sourceLocation) {
    for request in emulator.requests {
        let problems = OpenAPISpec.shared.validate(method: request.method, path: request.path,
                                                   body: request.body.isEmpty ? nil : request.body,
                                                   contentType: request.header("Content-Type"))
        #expect(problems.isEmpty, "\(request.method) \(request.path): \(problems)", sourceLocation: sourceLocation)
    }
}
