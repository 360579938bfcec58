/// One named step of a cleanup.
public struct CleanupStep {
    public let name: String
    let run: () throws -> Void

    public init(_ name: String, _ run: @escaping () throws -> Void) {
        self.name = name
        self.run = run
    }
}

/// A step that threw, and what it threw.
public struct CleanupFailure: Sendable, Equatable, CustomStringConvertible {
    public let step: String
    public let message: String

    public init(step: String, message: String) {
        self.step = step
        self.message = message
    }

    public var description: String { "\(step): \(message)" }
}

/// What a cleanup did: the steps that succeeded, in order, and the ones that failed.
public struct CleanupReport: Sendable, Equatable {
    public var completed: [String] = []
    public var failures: [CleanupFailure] = []

    public var isClean: Bool { failures.isEmpty }
}

/// Runs cleanup steps in order, and always all of them: cleanup is forced, so a step that throws is
/// recorded and the next one runs anyway (the seed's "force cleanup" after an error).
public enum CleanupRunner {
    public static func run(_ steps: [CleanupStep]) -> CleanupReport {
        var report = CleanupReport()
        for step in steps {
            do {
                try step.run()
                report.completed.append(step.name)
            } catch {
                report.failures.append(CleanupFailure(step: step.name, message: String(describing: error)))
            }
        }
        return report
    }
}

/// The cleanup of one session, in the order that releases its resources safely: first nothing may
/// produce or consume audio for it any more, then its pipeline (recording file, playback) is
/// released, then the guild's voice is left if this was the guild's last session, and the session
/// is removed last — whatever failed before.
public struct SessionCleanupPlan {
    public static let stopConsumers = "stop audio consumers"
    public static let stopProducers = "stop audio producers"
    public static let releasePipeline = "release audio pipeline"
    public static let leaveChannel = "leave voice channel"
    public static let removeSession = "remove session"

    public var stopConsumers: () throws -> Void
    public var stopProducers: () throws -> Void
    public var releasePipeline: () throws -> Void
    /// nil when the guild's voice is still needed (other sessions, or a join in progress).
    public var leaveChannel: (() throws -> Void)?
    public var removeSession: () throws -> Void

    public init(stopConsumers: @escaping () throws -> Void, stopProducers: @escaping () throws -> Void,
                releasePipeline: @escaping () throws -> Void, leaveChannel: (() throws -> Void)?,
                removeSession: @escaping () throws -> Void) {
        self.stopConsumers = stopConsumers
        self.stopProducers = stopProducers
        self.releasePipeline = releasePipeline
        self.leaveChannel = leaveChannel
        self.removeSession = removeSession
    }

    public var steps: [CleanupStep] {
        var steps = [CleanupStep(Self.stopConsumers, stopConsumers),
                     CleanupStep(Self.stopProducers, stopProducers),
                     CleanupStep(Self.releasePipeline, releasePipeline)]
        if let leaveChannel { steps.append(CleanupStep(Self.leaveChannel, leaveChannel)) }
        steps.append(CleanupStep(Self.removeSession, removeSession))
        return steps
    }

    public func run() -> CleanupReport { CleanupRunner.run(steps) }
}
