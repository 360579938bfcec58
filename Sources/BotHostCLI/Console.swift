import BotHost
import Foundation

/// The host's console: type slash commands as a user would, publish on the bus, watch topics.
/// (The Discord sandbox builds on this; until then commands reach plugins as local interactions.)
struct Console {
    /// Where typed slash commands go: straight to the plugins, or through a (local) Discord.
    enum Mode: Sendable {
        case local
        case sandbox(SandboxChannel)
    }

    let runtime: HostRuntime
    let manager: PluginManager
    let mode: Mode
    /// The Discord connection, for `dump`; nil when the host runs without Discord.
    var connection: DiscordConnection? = nil

    /// The console user: the first configured owner, with administrator permissions.
    private var userID: UInt64 { runtime.settings.owners.first ?? 100_000_000_000_000_001 }
    private static let administrator: UInt64 = 1 << 3

    static let help = """
        Console commands:
          /NAME [sub] [option:value …]  invoke a plugin's slash command, e.g. /count add:5
          publish TOPIC [PAYLOAD]       publish on the bus, e.g. publish counter.add 10
          watch PATTERN                 print bus messages matching PATTERN (e.g. counter.>, *.tick)
          unwatch                       stop printing bus messages (host.plugin.* stays on)
          commands                      list the registered slash commands and their plugins
          plugins                       show each plugin's state
          restart NAME | reload NAME    stop a plugin and start it again from plugins.json, its library as it is now
          dump                          what every executor, timer and connection is doing (also: kill -USR1)
          sleep SECONDS                 pause before the next line (scripts: let a reply arrive first)
          help | quit
        """

    /// Reads commands until `quit` (returns true) or the end of input (returns false).
    func run() async -> Bool {
        say("Type 'help' for console commands.")
        _ = try? runtime.bus.tap("host.plugin.>") { topic, payload in
            say("• \(topic) \(ControlCharacters.escaped(String(decoding: payload, as: UTF8.self)))")
        }
        var watches: [UInt64] = []
        for await line in Self.lines() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let words = trimmed.split(separator: " ", maxSplits: 2).map(String.init)
            switch words[0] {
            case "quit", "exit":
                return true
            case "help":
                say(Self.help)
            case "plugins":
                Self.printStatuses(await manager.statuses())
            case "restart" where words.count == 2, "reload" where words.count == 2:
                let verb = words[0] == "reload" ? "reloaded" : "restarted"
                let outcome = await manager.restart(words[1], reason: "\(verb) by the operator")
                say(outcome.message(plugin: words[1], verb: verb) + (outcome == .notConfigured ? "; 'plugins' lists them" : ""))
            case "dump":
                for line in stateDump(runtime: runtime, connection: connection) { say("  " + line) }
            case "commands":
                for (name, plugin) in runtime.commands.owners.sorted(by: { $0.key < $1.key }) { say("  /\(name)  (\(plugin))") }
            case "publish" where words.count >= 2:
                let payload = words.count > 2 ? Array(words[2].utf8) : []
                do {
                    let result = try runtime.publish(topic: words[1], payload: payload)
                    say("published to \(result.delivered) subscriber(s)" + (result.dropped > 0 ? ", \(result.dropped) dropped" : ""))
                } catch { say("error: \(error)") }
            case "watch" where words.count >= 2:
                do {
                    watches.append(try runtime.bus.tap(words[1]) { topic, payload in
                        say("• \(topic) \(ControlCharacters.escaped(String(decoding: payload, as: UTF8.self)))")
                    })
                    say("watching \(words[1])")
                } catch { say("error: \(error)") }
            case "sleep":
                // Scripts run line by line without waiting for the bot; this lets a reply land first.
                guard words.count == 2, let seconds = Double(words[1]), seconds.isFinite, (0...600).contains(seconds) else {
                    say("usage: sleep SECONDS (0 to 600, e.g. sleep 1.5)")
                    continue
                }
                try? await Task.sleep(for: .seconds(seconds))
            case "unwatch":
                watches.forEach(runtime.bus.untap)
                watches.removeAll()
            default:
                switch mode {
                case .local:
                    if trimmed.hasPrefix("/") { invoke(trimmed) } else { say("unknown console command; type 'help'") }
                case .sandbox(let channel):
                    await channel.userTyped(trimmed)
                }
            }
        }
        return false
    }

    private func invoke(_ line: String) {
        do {
            let invocation = try LocalInvocation.parse(line, definitions: runtime.commands.definitions, userID: userID,
                                                       memberPermissions: Self.administrator)
            let responder = RecordingResponder { response in Self.printResponse(response) }
            try runtime.invokeCommand(invocation, responder: responder)
        } catch let error as LocalInvocation.ParseError {
            say("error: \(error.description)")
        } catch {
            say("error: \(error)")
        }
    }

    static func printResponse(_ response: InteractionResponse) {
        let visibility = response.isEphemeral ? " (only you can see this)" : ""
        switch response.kind {
        case .deferred: say("  … the bot is thinking\(visibility)")
        default:
            say("  ↳ \(response.kind.rawValue)\(visibility)")
            say(MessageRenderer.render(response.messageJSON).split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        }
    }

    static func printStatuses(_ statuses: [PluginStatus]) {
        if statuses.isEmpty { say("No plugins configured.") }
        for status in statuses { say("  " + status.line) }
    }

    /// Standard input as an async sequence of lines, read on its own thread (readLine blocks).
    static func lines() -> AsyncStream<String> {
        AsyncStream { continuation in
            let thread = Thread {
                while let line = readLine(strippingNewline: true) { continuation.yield(line) }
                continuation.finish()
            }
            thread.start()
        }
    }
}

/// Writes a line to standard output at once (print buffers when stdout is a pipe, and scripts and
/// tests read the console through one).
func say(_ text: String) {
    // Plugins' text (bus payloads, replies, reasons) is shown here: no escape sequences reach the
    // terminal. Line breaks stay; the host lays out multi-line text itself.
    FileHandle.standardOutput.write(Data((ControlCharacters.escaped(text, keepingNewlines: true) + "\n").utf8))
}
