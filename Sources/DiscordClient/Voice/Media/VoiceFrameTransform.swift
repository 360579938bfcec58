/// The per-frame stage between the Opus codec and RTP: where Discord's end-to-end encryption
/// (DAVE) encrypts each outgoing Opus frame after encoding and decrypts each incoming one before
/// decoding. Send order: Opus → transform → RTP + transport AEAD; receive is the reverse.
///
/// Contract for implementations:
/// - Called once per frame, 50 times a second per stream, on the pipeline owner's thread; must
///   not block. Output is written into the given buffer (its previous contents replaced) so no
///   allocation is needed per frame.
/// - Never called for the silence frame `F8 FF FE`: the pipelines pass it through untouched, as
///   DAVE requires.
/// - Incoming frames are identified by SSRC only; a DAVE implementation resolves the sender's
///   user ID (needed to pick the sender's key) from the connection layer's SSRC → user map.
/// - Throwing drops that one frame: the send pipeline reports the error, the receive pipeline
///   counts the frame as undecryptable.
///
/// Reference type because one end-to-end session (its keys, epochs and transitions) is shared by
/// the send and receive pipelines of a connection.
public protocol VoiceFrameTransform: AnyObject {
    /// Transforms an outgoing Opus frame from our own `ssrc`.
    func encryptOutgoing(_ frame: UnsafeRawBufferPointer, ssrc: UInt32, into output: inout [UInt8]) throws
    /// Transforms an incoming frame from `ssrc` back to a plain Opus frame.
    func decryptIncoming(_ frame: UnsafeRawBufferPointer, ssrc: UInt32, into output: inout [UInt8]) throws
}

/// The transform in use until end-to-end encryption exists: frames pass through unchanged.
public final class PassthroughVoiceFrameTransform: VoiceFrameTransform {
    public init() {}

    public func encryptOutgoing(_ frame: UnsafeRawBufferPointer, ssrc: UInt32, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: frame)
    }

    public func decryptIncoming(_ frame: UnsafeRawBufferPointer, ssrc: UInt32, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: frame)
    }
}
