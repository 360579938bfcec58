/// The labeled derivations, signatures and encryptions of RFC 9420 §5.1-§5.2 and §8: every label is
/// prefixed with "MLS 1.0 " so values from one use never verify or decrypt in another.
extension CipherSuite {
    static func mlsLabel(_ label: String) -> [UInt8] { mlsLabel(Array(label.utf8)) }
    static func mlsLabel(_ label: [UInt8]) -> [UInt8] { Array("MLS 1.0 ".utf8) + label }

    /// ExpandWithLabel (§8): KDFLabel { uint16 length; opaque label<V>; opaque context<V> }.
    public func expandWithLabel(secret: [UInt8], label: [UInt8], context: [UInt8], length: Int) -> [UInt8] {
        var kdfLabel = TLSWriter()
        kdfLabel.write(UInt16(length))
        kdfLabel.writeOpaque(Self.mlsLabel(label))
        kdfLabel.writeOpaque(context)
        return expand(prk: secret, info: kdfLabel.bytes, length: length)
    }

    public func expandWithLabel(secret: [UInt8], label: String, context: [UInt8], length: Int) -> [UInt8] {
        expandWithLabel(secret: secret, label: Array(label.utf8), context: context, length: length)
    }

    /// DeriveSecret (§8).
    public func deriveSecret(secret: [UInt8], label: [UInt8]) -> [UInt8] {
        expandWithLabel(secret: secret, label: label, context: [], length: hashLength)
    }

    public func deriveSecret(secret: [UInt8], label: String) -> [UInt8] {
        deriveSecret(secret: secret, label: Array(label.utf8))
    }

    /// DeriveTreeSecret (§9): the generation as a uint32 context.
    public func deriveTreeSecret(secret: [UInt8], label: String, generation: UInt32, length: Int) -> [UInt8] {
        var context = TLSWriter()
        context.write(generation)
        return expandWithLabel(secret: secret, label: label, context: context.bytes, length: length)
    }

    /// SignContent { opaque label<V>; opaque content<V> } (§5.1.2).
    private static func signContent(label: String, content: [UInt8]) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeOpaque(mlsLabel(label))
        writer.writeOpaque(content)
        return writer.bytes
    }

    public func signWithLabel(privateKey: [UInt8], label: String, content: [UInt8]) throws -> [UInt8] {
        try sign(privateKey: privateKey, message: Self.signContent(label: label, content: content))
    }

    public func verifyWithLabel(publicKey: [UInt8], label: String, content: [UInt8], signature: [UInt8]) -> Bool {
        verify(publicKey: publicKey, message: Self.signContent(label: label, content: content), signature: signature)
    }

    /// EncryptContext { opaque label<V>; opaque context<V> } as the HPKE info (§5.1.3).
    private static func encryptContext(label: String, context: [UInt8]) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeOpaque(mlsLabel(label))
        writer.writeOpaque(context)
        return writer.bytes
    }

    public func encryptWithLabel(publicKey: [UInt8], label: String, context: [UInt8], plaintext: [UInt8]) throws -> HPKECiphertext {
        let sealed = try hpkeSeal(publicKey: publicKey, info: Self.encryptContext(label: label, context: context), aad: [], plaintext: plaintext)
        return HPKECiphertext(kemOutput: sealed.kemOutput, ciphertext: sealed.ciphertext)
    }

    public func decryptWithLabel(privateKey: [UInt8], label: String, context: [UInt8], ciphertext: HPKECiphertext) throws -> [UInt8] {
        try hpkeOpen(privateKey: privateKey, kemOutput: ciphertext.kemOutput,
                     info: Self.encryptContext(label: label, context: context), aad: [], ciphertext: ciphertext.ciphertext)
    }

    /// RefHash (§5.2): the label is used as given (callers pass the full "MLS 1.0 ..." label).
    public func refHash(label: String, value: [UInt8]) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeOpaque(Array(label.utf8))
        writer.writeOpaque(value)
        return hash(writer.bytes)
    }

    /// MakeKeyPackageRef (§5.2).
    public func keyPackageRef(_ keyPackage: KeyPackage) -> [UInt8] {
        refHash(label: "MLS 1.0 KeyPackage Reference", value: keyPackage.encoded)
    }

    /// MakeProposalRef (§5.2) over the AuthenticatedContent that carried the proposal.
    public func proposalRef(_ content: AuthenticatedContent) -> [UInt8] {
        refHash(label: "MLS 1.0 Proposal Reference", value: content.encoded)
    }
}
