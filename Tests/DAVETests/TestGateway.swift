@testable import DAVE
import MLS
import Testing

/// The voice gateway's side of DAVE for in-process tests: the external sender, the members'
/// leaf indices (tracked as RFC 9420 fills and blanks leaves), proposals, picking the winning
/// commit, Welcomes and transitions. Every message crosses the wire codecs both ways.
final class TestGateway {
    let suite = CipherSuite.mls128DHKEMP256AES128GCMSHA256P256
    let channelID: UInt64 = 1234
    let key: SignatureKeyPair
    let externalSender: ExternalSender
    let time = DAVEClock.ManualTime()
    private(set) var sessions: [UInt64: DAVESession] = [:]
    /// User id per leaf of the established group (nil: blank).
    private(set) var leaves: [UInt64?] = []
    /// Key packages received and not yet added, by user.
    private(set) var keyPackages: [UInt64: KeyPackage] = [:]
    /// Messages members sent, in order, by user.
    private(set) var sent: [UInt64: [DAVEClientMessage]] = [:]
    private(set) var epoch: UInt64 = 0
    private var sequence: UInt16 = 0
    private var nextTransition: UInt16 = 1

    init() {
        key = suite.generateSignatureKeyPair()
        externalSender = ExternalSender(signatureKey: key.publicKey, credential: .basic(identity: []))
    }

    var established: Bool { epoch > 0 }
    var members: [UInt64] { leaves.compactMap { $0 } }

    /// `user` connects (op 4 with version 1, op 25); the others hear op 11.
    func connect(_ user: UInt64) throws {
        let session = DAVESession(userID: user, channelID: channelID, clock: .manual(time))
        session.clientsConnected(Array(sessions.keys))
        for other in sessions.values { other.clientsConnected([user]) }
        sessions[user] = session
        record(user, try session.start(protocolVersion: 1))
        try deliver(.externalSender(externalSender), to: user)
    }

    func disconnect(_ user: UInt64) {
        sessions[user] = nil
        keyPackages[user] = nil
        for other in sessions.values { other.clientDisconnected(user) }
    }

    /// Sends a server message through the codecs, recording what the member answers.
    @discardableResult
    func deliver(_ message: DAVEServerMessage, to user: UInt64) throws -> [DAVESessionEvent] {
        let session = try #require(sessions[user])
        let decoded: DAVEServerMessage
        if message.opcode.isBinary {
            sequence &+= 1
            decoded = try DAVEServerMessage.decode(binaryFrame: try message.binaryFrame(sequence: sequence)).message
        } else {
            decoded = try DAVEServerMessage.decode(jsonOpcode: Int(message.opcode.rawValue), data: try message.jsonData())
        }
        let events = try session.receive(decoded)
        record(user, events)
        return events
    }

    private func record(_ user: UInt64, _ events: [DAVESessionEvent]) {
        for case .send(let message) in events {
            // Through the client codecs too.
            let decoded: DAVEClientMessage? = message.opcode.isBinary
                ? (try? message.binaryFrame()).flatMap { try? DAVEClientMessage.decode(binaryFrame: $0) }
                : (try? message.jsonData()).flatMap { try? DAVEClientMessage.decode(jsonOpcode: Int(message.opcode.rawValue), data: $0) }
            guard let decoded else {
                Issue.record("client message \(message.opcode) does not survive its codec")
                continue
            }
            sent[user, default: []].append(decoded)
            if case .keyPackage(let keyPackage) = decoded { keyPackages[user] = keyPackage }
        }
    }

    func lastSent(_ user: UInt64) -> DAVEClientMessage? { sent[user]?.last }

    func proposal(_ proposal: Proposal) throws -> MLSMessage {
        try ExternalProposal.make(proposal, suite: suite, groupID: DAVESession.identity(channelID), epoch: epoch, senderIndex: 0,
                                  signaturePrivateKey: key.privateKey)
    }

    /// One round: the gateway proposes adding everyone with a key package (not yet members) and
    /// removing `removing`; every recipient commits; `winner`'s commit (default: the first member
    /// that committed) is announced, the Welcome goes to the added, everyone gets ready and the
    /// transition executes. Returns the transition id.
    @discardableResult
    func round(removing: [UInt64] = [], winner: UInt64? = nil, extraProposals: [MLSMessage] = [], execute: Bool = true) throws -> UInt16 {
        // Everyone with a key package joins; a member with a new one (after op 31) is removed and re-added.
        let adds = keyPackages.keys.sorted().filter { !members.contains($0) || removing.contains($0) }
        var proposals = try removing.map { user in try proposal(.remove(leafIndex: UInt32(try #require(leafIndex(of: user))))) }
        proposals += try adds.map { user in try proposal(.add(try #require(keyPackages[user]))) }
        proposals += extraProposals
        // Established: the members get the proposals; initial creation: every pending member.
        let recipients = established ? members.filter { !removing.contains($0) } : adds
        var commits: [UInt64: (MLSMessage, Welcome?)] = [:]
        for user in recipients {
            let toSelf = !established && adds.contains(user)
            let own = toSelf ? try proposals.filter { message in
                guard case .publicMessage(let body) = message.body, case .proposal(.add(let kp)) = body.content.body else { return true }
                return kp != (try #require(keyPackages[user]))
            } : proposals
            for event in try deliver(.proposals(.append(own)), to: user) {
                if case .send(.commitWelcome(let commit, let welcome)) = event { commits[user] = (commit, welcome) }
            }
        }
        let chosen = try #require(winner ?? recipients.first { commits[$0] != nil })
        let (commit, welcome) = try #require(commits[chosen])
        let transition = nextTransition
        nextTransition &+= 1
        // Apply to the gateway's view of the tree: removes blank, adds fill the leftmost blank.
        var added = adds
        if !established {
            // The winner created the group: it is leaf 0, and its own Add was not in its commit.
            leaves = [chosen]
            added.removeAll { $0 == chosen }
        }
        for user in removing {
            if let index = leafIndex(of: user) { leaves[index] = nil }
        }
        while leaves.last == .some(nil) { leaves.removeLast() }
        for user in added {
            if let blank = leaves.firstIndex(of: nil) { leaves[blank] = user } else { leaves.append(user) }
            keyPackages[user] = nil
        }
        keyPackages[chosen] = nil
        epoch += 1
        for user in sessions.keys.sorted() where !added.contains(user) {
            try deliver(.announceCommit(transitionID: transition, commit: commit), to: user)
        }
        if !added.isEmpty {
            let welcomeMessage = try #require(welcome)
            for user in added { try deliver(.welcome(transitionID: transition, welcome: welcomeMessage), to: user) }
        }
        for user in members {
            guard case .readyForTransition(transition) = try #require(lastSent(user)) else {
                throw DAVEError.unexpectedState("\(user) did not get ready for transition \(transition): \(String(describing: lastSent(user)))")
            }
        }
        if execute { try self.execute(transition) }
        return transition
    }

    func execute(_ transition: UInt16) throws {
        for user in members { try deliver(.executeTransition(transitionID: transition), to: user) }
    }

    func leafIndex(of user: UInt64) -> Int? { leaves.firstIndex(of: user) }

    /// After op 24 with epoch 1: the gateway forgets the group; the next round creates a new one.
    func resetToUnestablished() {
        leaves = []
        epoch = 0
    }

    /// Every member's frames open at every other member; epochs and privacy codes agree.
    func expectEveryoneHearsEveryone(_ comment: Comment? = nil) throws {
        let sessions = members.compactMap { self.sessions[$0] }
        let epochs = Set(sessions.map(\.epoch))
        #expect(epochs == [epoch], comment)
        #expect(Set(sessions.map(\.privacyCode)).count == 1, comment)
        for sender in sessions {
            let opus = (0..<100).map { UInt8(truncatingIfNeeded: Int(sender.userID) &+ $0) }
            let frame = try sender.encryptor.encrypt(opus)
            #expect(frame != opus, comment)
            for receiver in sessions where receiver !== sender {
                #expect(try receiver.decryptor(for: sender.userID).decrypt(frame) == opus, comment)
            }
        }
    }
}
