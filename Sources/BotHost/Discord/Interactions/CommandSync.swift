import BotHostCore
import DiscordClient
import Foundation
import Logging

/// Keeps Discord's slash commands equal to the set the enabled plugins registered: one bulk
/// overwrite (PUT) per scope, and only when the set changed — the hash of what was last synced is
/// kept in SQLite, so restarts never spend the daily command-create budget.
final class CommandSync: Sendable {
    private let rest: DiscordREST
    private let records: HostRecords
    private let logger: Logger

    init(rest: DiscordREST, records: HostRecords, logger: Logger) {
        self.rest = rest
        self.records = records
        self.logger = logger
    }

    enum Outcome: Equatable, Sendable { case unchanged, synced(Int), failed(String) }

    /// Syncs `definitions` (name → command JSON) to each guild in `guilds`, or globally when empty.
    @discardableResult
    func sync(applicationID: UInt64, definitions: [String: [UInt8]], guilds: [UInt64]) async -> [Outcome] {
        // The JSON array is assembled from the plugins' own bytes, in name order, never re-encoded.
        let sorted = definitions.sorted { $0.key < $1.key }.map(\.value)
        let body = Array("[".utf8) + Array(sorted.joined(separator: Array(",".utf8))) + Array("]".utf8)
        let scopes: [(path: String, key: String)] = guilds.isEmpty
            ? [("/applications/\(applicationID)/commands", "commands.synced.global")]
            : guilds.map { ("/applications/\(applicationID)/guilds/\($0)/commands", "commands.synced.guild.\($0)") }
        var outcomes: [Outcome] = []
        for scope in scopes {
            let fingerprint = Array(Self.fingerprint(applicationID: applicationID, body: body).utf8)
            if (try? records.get(scope.key)) == fingerprint {
                logger.info("slash commands unchanged for \(scope.path); not syncing")
                outcomes.append(.unchanged)
                continue
            }
            do {
                let answer = try await rest.send("PUT", scope.path, json: body)
                guard (200..<300).contains(answer.status) else {
                    let detail = String(decoding: answer.body.prefix(2000), as: UTF8.self)
                    logger.error("syncing slash commands to \(scope.path) failed with \(answer.status): \(detail)")
                    outcomes.append(.failed(detail))
                    continue
                }
                try? records.set(scope.key, fingerprint)
                logger.info("synced \(sorted.count) slash command(s) to \(scope.path)")
                outcomes.append(.synced(sorted.count))
            } catch {
                logger.error("syncing slash commands to \(scope.path) failed: \(error)")
                outcomes.append(.failed("\(error)"))
            }
        }
        return outcomes
    }

    /// FNV-1a over the application id and the body: a change detector, not a security measure.
    static func fingerprint(applicationID: UInt64, body: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("\(applicationID):".utf8) + body {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16) + "-\(body.count)"
    }
}
