/// The secrets of one epoch (RFC 9420 §8), derived from the previous epoch's init secret, the
/// commit secret and the new group context.
public struct EpochSecrets: Hashable, Sendable {
    public let joinerSecret: [UInt8]
    public let welcomeSecret: [UInt8]
    public let epochSecret: [UInt8]
    public let senderDataSecret: [UInt8]
    public let encryptionSecret: [UInt8]
    public let exporterSecret: [UInt8]
    public let externalSecret: [UInt8]
    public let confirmationKey: [UInt8]
    public let membershipKey: [UInt8]
    public let resumptionPSK: [UInt8]
    public let epochAuthenticator: [UInt8]
    /// The next epoch's init secret.
    public let initSecret: [UInt8]

    /// The epoch's secrets after a commit: joiner_secret = ExpandWithLabel(Extract(init_secret,
    /// commit_secret), "joiner", GroupContext).
    public init(suite: CipherSuite, previousInitSecret: [UInt8], commitSecret: [UInt8], pskSecret: [UInt8]? = nil,
                groupContext: GroupContext) {
        let prk = suite.extract(salt: previousInitSecret, ikm: commitSecret)
        let joinerSecret = suite.expandWithLabel(secret: prk, label: "joiner", context: groupContext.encoded, length: suite.hashLength)
        self.init(suite: suite, joinerSecret: joinerSecret, pskSecret: pskSecret, groupContext: groupContext)
    }

    /// The epoch's secrets from the joiner secret (what a Welcome carries). No PSKs are used in this
    /// subset, so psk_secret defaults to Nh zero bytes (§8.4).
    public init(suite: CipherSuite, joinerSecret: [UInt8], pskSecret: [UInt8]? = nil, groupContext: GroupContext) {
        let memberSecret = suite.extract(salt: joinerSecret, ikm: pskSecret ?? Array(repeating: 0, count: suite.hashLength))
        let epochSecret = suite.expandWithLabel(secret: memberSecret, label: "epoch", context: groupContext.encoded, length: suite.hashLength)
        self.init(suite: suite, epochSecret: epochSecret, joinerSecret: joinerSecret,
                  welcomeSecret: suite.deriveSecret(secret: memberSecret, label: "welcome"))
    }

    /// The welcome secret of a joiner secret (no PSKs), which a joiner needs before it has the
    /// group context.
    static func welcomeSecret(suite: CipherSuite, joinerSecret: [UInt8]) -> [UInt8] {
        let memberSecret = suite.extract(salt: joinerSecret, ikm: Array(repeating: 0, count: suite.hashLength))
        return suite.deriveSecret(secret: memberSecret, label: "welcome")
    }

    /// The secrets derived from an epoch secret; a new group starts from a random one (§11), with
    /// no joiner or welcome secret.
    init(suite: CipherSuite, epochSecret: [UInt8], joinerSecret: [UInt8] = [], welcomeSecret: [UInt8] = []) {
        func derive(_ label: String) -> [UInt8] { suite.deriveSecret(secret: epochSecret, label: label) }
        self.joinerSecret = joinerSecret
        self.welcomeSecret = welcomeSecret
        self.epochSecret = epochSecret
        senderDataSecret = derive("sender data")
        encryptionSecret = derive("encryption")
        exporterSecret = derive("exporter")
        externalSecret = derive("external")
        confirmationKey = derive("confirm")
        membershipKey = derive("membership")
        resumptionPSK = derive("resumption")
        epochAuthenticator = derive("authentication")
        initSecret = derive("init")
    }

    /// MLS-Exporter (§8.5).
    public func export(suite: CipherSuite, label: String, context: [UInt8], length: Int) -> [UInt8] {
        export(suite: suite, label: Array(label.utf8), context: context, length: length)
    }

    public func export(suite: CipherSuite, label: [UInt8], context: [UInt8], length: Int) -> [UInt8] {
        let secret = suite.deriveSecret(secret: exporterSecret, label: label)
        return suite.expandWithLabel(secret: secret, label: "exported", context: suite.hash(context), length: length)
    }

    /// The public key of the external_secret key pair (§8.3); external joins are not supported, but
    /// the key is part of the schedule.
    public func externalPublicKey(suite: CipherSuite) throws -> [UInt8] {
        try suite.deriveHPKEKeyPair(ikm: externalSecret).publicKey
    }

    /// The key and nonce that encrypt the GroupInfo in a Welcome (§12.4.3.1).
    static func welcomeKeyAndNonce(suite: CipherSuite, welcomeSecret: [UInt8]) -> (key: [UInt8], nonce: [UInt8]) {
        (suite.expandWithLabel(secret: welcomeSecret, label: "key", context: [], length: suite.aeadKeyLength),
         suite.expandWithLabel(secret: welcomeSecret, label: "nonce", context: [], length: suite.aeadNonceLength))
    }
}

/// The confirmed and interim transcript hashes (§8.2).
public enum TranscriptHash {
    /// Hash(interim_transcript_hash || ConfirmedTranscriptHashInput).
    public static func confirmed(suite: CipherSuite, interim: [UInt8], content: AuthenticatedContent) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeRaw(interim)
        writer.write(content.wireFormat.rawValue)
        writer.write(content.content)
        writer.writeOpaque(content.auth.signature)
        return suite.hash(writer.bytes)
    }

    /// Hash(confirmed_transcript_hash || InterimTranscriptHashInput).
    public static func interim(suite: CipherSuite, confirmed: [UInt8], confirmationTag: [UInt8]) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeRaw(confirmed)
        writer.writeOpaque(confirmationTag)
        return suite.hash(writer.bytes)
    }
}
