/// A KeyPackage with the private keys its owner keeps to join from a Welcome (§10).
public struct KeyPackageBundle: Hashable, Sendable {
    public let keyPackage: KeyPackage
    public let initPrivateKey: [UInt8]
    public let encryptionPrivateKey: [UInt8]
    public let signatureKeyPair: SignatureKeyPair

    public init(keyPackage: KeyPackage, initPrivateKey: [UInt8], encryptionPrivateKey: [UInt8], signatureKeyPair: SignatureKeyPair) {
        self.keyPackage = keyPackage
        self.initPrivateKey = initPrivateKey
        self.encryptionPrivateKey = encryptionPrivateKey
        self.signatureKeyPair = signatureKeyPair
    }

    /// A fresh key package with a basic credential, fresh init and encryption keys, signed by
    /// `signatureKeyPair` (DAVE: identity = user id as 8 big-endian bytes, unbounded lifetime).
    public static func create(suite: CipherSuite, identity: [UInt8], signatureKeyPair: SignatureKeyPair,
                              lifetime: Lifetime = .unbounded, capabilities: Capabilities? = nil) throws -> KeyPackageBundle {
        let initKey = suite.generateHPKEKeyPair()
        let encryptionKey = suite.generateHPKEKeyPair()
        var leaf = LeafNode(encryptionKey: encryptionKey.publicKey, signatureKey: signatureKeyPair.publicKey,
                            credential: .basic(identity: identity), capabilities: capabilities ?? .supported(by: suite),
                            source: .keyPackage(lifetime), extensions: [])
        try leaf.sign(suite: suite, privateKey: signatureKeyPair.privateKey, groupID: [], leafIndex: 0)
        var keyPackage = KeyPackage(cipherSuite: suite.id, initKey: initKey.publicKey, leafNode: leaf, extensions: [])
        keyPackage.signature = try suite.signWithLabel(privateKey: signatureKeyPair.privateKey, label: "KeyPackageTBS", content: keyPackage.toBeSigned)
        return KeyPackageBundle(keyPackage: keyPackage, initPrivateKey: initKey.privateKey,
                                encryptionPrivateKey: encryptionKey.privateKey, signatureKeyPair: signatureKeyPair)
    }
}

extension KeyPackage {
    /// KeyPackage validation (§10.1) on its own: suite and version, signature, init key distinct
    /// from the leaf's key, leaf node from a key package with a valid signature, lifetime when
    /// `currentTime` is given. Checks against a group's members are made when it is added.
    public func validate(suite: CipherSuite, currentTime: UInt64?) throws {
        guard cipherSuite == suite.id else { throw MLSError.invalid("key package cipher suite \(cipherSuite)") }
        guard version == .mls10 else { throw MLSError.invalid("key package version") }
        guard suite.verifyWithLabel(publicKey: leafNode.signatureKey, label: "KeyPackageTBS", content: toBeSigned, signature: signature) else {
            throw MLSError.invalidSignature("KeyPackage")
        }
        guard suite.isValidHPKEPublicKey(initKey) else { throw MLSError.invalidKey("key package init key") }
        guard initKey != leafNode.encryptionKey else { throw MLSError.invalid("key package init key equals its encryption key") }
        try extensions.requireUniqueTypes("KeyPackage")
        guard leafNode.capabilities.cipherSuites.contains(suite.id), leafNode.capabilities.versions.contains(ProtocolVersion.mls10.rawValue) else {
            throw MLSError.invalid("key package capabilities omit its suite or version")
        }
    }
}
