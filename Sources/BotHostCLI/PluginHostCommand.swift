import ArgumentParser
import BotHost
import Foundation

/// `bothost plugin-host`: the process an isolated plugin runs in. The host starts it with the
/// channel as fd 3; it is not meant to be run by hand.
struct PluginHostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin-host",
        abstract: "Run one isolated plugin for a host (started by `bothost run`; not for use by hand).",
        shouldDisplay: false)

    @Option(name: .long, help: "The descriptor of the socket to the host.")
    var channelFd: Int32 = 3

    @Option(name: .long, help: "The data limit in MiB (RLIMIT_DATA).")
    var memoryMb: Int = 1024

    @Option(name: .long, help: "The open file limit (RLIMIT_NOFILE).")
    var openFiles: Int = 256

    @Option(name: .long, help: "The plugin's name, for messages.")
    var name: String = "plugin"

    func run() throws {
        do {
            try ChildConfinement.apply(memoryMB: memoryMb, openFiles: openFiles)
        } catch {
            FileHandle.standardError.write(Data("bothost plugin-host (\(name)): \(error.description)\n".utf8))
            _exit(70)
        }
        // _exit: the plugin's executor thread may still be inside its code; nothing of the
        // plugin's (static destructors, atexit hooks) runs against it.
        _exit(IsolatedChild.serve(fd: channelFd))
    }
}
