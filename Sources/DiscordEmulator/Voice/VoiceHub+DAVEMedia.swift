/// The bot's media in a DAVE call: every simulated user in the call opens each frame with the
/// bot's key of the epochs it knows (as each Discord client would), and the gateway counts frames
/// that should never be: sent without end-to-end encryption, or encrypted with a key no member has.
extension VoiceHub {
    /// The bot's frame opened (nil when no member could open it; counted either way).
    func openBotFrame(_ session: inout VoiceSession, _ frame: [UInt8]) -> [UInt8]? {
        // DAVE's protocol frame check: the frame ends with the 0xFAFA magic marker.
        guard frame.count > 2, frame[frame.count - 2] == 0xFA, frame[frame.count - 1] == 0xFA else {
            session.daveMedia.unprotectedFrames += 1
            return nil
        }
        guard !session.daveMembers.isEmpty else {
            session.daveMedia.unheardFrames += 1
            return nil
        }
        var opened: [UInt8]?
        for user in session.daveMembers.keys.sorted() {
            guard var member = session.daveMembers[user] else { continue }
            if let decryptor = member.decryptors[session.userID], let opus = try? decryptor.decrypt(frame) {
                member.framesOpenedFromBot += 1
                if opened == nil { opened = opus }
            } else {
                member.framesRefusedFromBot += 1
            }
            session.daveMembers[user] = member
        }
        if opened == nil { session.daveMedia.unopenableFrames += 1 }
        return opened
    }
}

/// What the gateway saw of the bot's media in a DAVE call.
struct DAVEMediaCounters {
    /// Frames that were not DAVE frames (not the silence frame either): sent without end-to-end
    /// encryption into an end-to-end encrypted call.
    var unprotectedFrames = 0
    /// DAVE frames no simulated user in the call could open: encrypted before the group was
    /// ready, or with a stale epoch's key.
    var unopenableFrames = 0
    /// DAVE frames sent while no simulated user was in the call to open them.
    var unheardFrames = 0
}
