import BotHost
import Foundation

/// Discord's official OpenAPI spec (Tests/Fixtures/DiscordOpenAPI), used to check that every REST
/// request the host sends exists in Discord's API and carries a body Discord would accept.
///
///     let problems = OpenAPISpec.shared.validate(method: "POST", path: "/api/v10/channels/1/messages",
///                                                body: Array(#"{"content":"hi"}"#.utf8), contentType: "application/json")
///     #expect(problems.isEmpty, "\(problems)")
struct OpenAPISpec: Sendable {
    /// The package root is three folders above this file's folder (Tests/BotHostTests/Support).
    static let fixtureURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/DiscordOpenAPI/discord-openapi.json")

    /// Loaded once per test process. A spec that fails to load makes every validation report why.
    static let shared = OpenAPISpec(contentsOf: fixtureURL)

    /// The spec's server base; request paths carry it, spec paths do not.
    static let apiBase = "/api/v10"

    /// More problems than this are summarised: the first ones say what is wrong.
    static let maxProblems = 10

    private var loadProblem: String?
    let router: OpenAPIRouter
    let evaluator: SchemaEvaluator

    init(document: JSONValue) {
        evaluator = SchemaEvaluator(document: document)
        router = OpenAPIRouter(paths: document["paths"]?.objectValue ?? JSONObject())
        loadProblem = router.routes.isEmpty ? "the spec declares no paths" : nil
    }

    init(contentsOf url: URL) {
        do {
            let bytes = try [UInt8](Data(contentsOf: url))
            self.init(document: try JSONValue.parse(bytes))
        } catch {
            self.init(document: .null, loadProblem: "Discord's OpenAPI spec could not be loaded from \(url.path): \(error)")
        }
    }

    private init(document: JSONValue, loadProblem: String) {
        self.init(document: document)
        self.loadProblem = loadProblem
    }

    /// Checks one request as sent. `path` is the request target, e.g.
    /// "/api/v10/channels/123/messages?x=1" (the query is not checked). Returns [] when the route
    /// and method exist and the body validates; otherwise readable problems, each starting with
    /// the request and naming the JSON pointer of the offending value.
    func validate(method: String, path: String, body: [UInt8]?, contentType: String?) -> [String] {
        let method = method.uppercased()
        if let loadProblem { return ["\(method) \(path): \(loadProblem)"] }
        let segments: [String]
        switch Self.segments(of: path) {
        case .success(let found): segments = found
        case .failure(let problem): return ["\(method) \(path): \(problem.message)"]
        }
        switch router.match(method: method, segments: segments, evaluator: evaluator) {
        case .problem(let problem):
            return ["\(method) \(path): \(problem)"]
        case .found(let route, let operation):
            let checker = RequestBodyChecker(evaluator: evaluator)
            let problems = checker.problems(operation: operation, body: body ?? [], contentType: contentType)
            return Self.summarised(problems.map { "\(method) \(route.template): \($0)" })
        }
    }

    struct PathProblem: Error {
        let message: String
    }

    /// The segments after the API base: "/api/v10/channels/1/messages?x" gives ["channels", "1", "messages"].
    static func segments(of target: String) -> Result<[String], PathProblem> {
        var path = Substring(target)
        // A recorded absolute URL names the same path; only the path matters here.
        for scheme in ["http://", "https://"] where path.lowercased().hasPrefix(scheme) {
            path = path.dropFirst(scheme.count)
            path = path.firstIndex(of: "/").map { path[$0...] } ?? ""
        }
        if let end = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<end] }
        guard path.hasPrefix(apiBase + "/") else {
            return .failure(PathProblem(message: "the path does not start with Discord's API base \(apiBase)/"))
        }
        let rest = path.dropFirst(apiBase.count + 1)
        return .success(rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init))
    }

    private static func summarised(_ problems: [String]) -> [String] {
        guard problems.count > maxProblems else { return problems }
        return Array(problems.prefix(maxProblems)) + ["... and \(problems.count - maxProblems) more problems"]
    }
}
