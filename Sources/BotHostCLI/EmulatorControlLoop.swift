import DiscordEmulator
import Foundation

/// `bothost emulator --control`: the greeting, then one answer line per request line until
/// stdin closes. Reading stdin blocks, so it runs on a thread of its own rather than on one of
/// the few threads Swift's concurrency shares.
struct EmulatorControlLoop: Sendable {
    let control: EmulatorControl

    func run() async {
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            let control = control
            Thread.detachNewThread {
                say(control.greeting)
                while let line = readLine(strippingNewline: true) {
                    guard !line.allSatisfy(\.isWhitespace) else { continue }
                    say(control.answer(line))
                }
                finished.resume()
            }
        }
    }
}
