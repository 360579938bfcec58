import Crypto
import Foundation

/// An MLS cipher suite (RFC 9420 §5.1): the KEM, KDF, AEAD, hash and signature scheme a group uses.
///
/// Only suite 2, MLS_128_DHKEMP256_AES128GCM_SHA256_P256 (the suite DAVE uses), is implemented.
/// The suite is a value passed everywhere a primitive is needed, so another suite is a new case of
/// `Algorithms` and its primitives, with no change to the protocol code.
public struct CipherSuite: Hashable, Sendable, CustomStringConvertible {
    /// The suite's number in the IANA "MLS Cipher Suites" registry.
    public let id: UInt16
    private let algorithms: Algorithms

    private enum Algorithms: Hashable, Sendable {
        case p256SHA256AES128GCM
    }

    public static let mls128DHKEMP256AES128GCMSHA256P256 = CipherSuite(id: 2, algorithms: .p256SHA256AES128GCM)

    private init(id: UInt16, algorithms: Algorithms) {
        self.id = id
        self.algorithms = algorithms
    }

    /// The suite with this registry number, or nil when it is not implemented.
    public init?(id: UInt16) {
        switch id {
        case 2: self = .mls128DHKEMP256AES128GCMSHA256P256
        default: return nil
        }
    }

    /// The suite with this registry number, or `MLSError.unsupported`.
    public static func require(_ id: UInt16) throws -> CipherSuite {
        guard let suite = CipherSuite(id: id) else { throw MLSError.unsupported("cipher suite \(id)") }
        return suite
    }

    public var description: String { "MLS cipher suite \(id)" }

    // MARK: Sizes

    /// Nh: the hash (and KDF) output length.
    public var hashLength: Int { 32 }
    /// Nk and Nn of the AEAD.
    public var aeadKeyLength: Int { 16 }
    public var aeadNonceLength: Int { 12 }

    // MARK: Hash, KDF, MAC

    public func hash(_ data: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: data))
    }

    public func mac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }

    /// HKDF-Extract (RFC 5869 §2.2).
    public func extract(salt: [UInt8], ikm: [UInt8]) -> [UInt8] {
        mac(key: salt, data: ikm)
    }

    /// HKDF-Expand (RFC 5869 §2.3).
    public func expand(prk: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        precondition(length <= 255 * hashLength, "HKDF-Expand output too long")
        let key = SymmetricKey(data: prk)
        var output: [UInt8] = []
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            var hmac = HMAC<SHA256>(key: key)
            hmac.update(data: block)
            hmac.update(data: info)
            hmac.update(data: [counter])
            block = Array(hmac.finalize())
            output.append(contentsOf: block)
            counter &+= 1
        }
        return Array(output.prefix(length))
    }

    // MARK: AEAD

    public func seal(key: [UInt8], nonce: [UInt8], aad: [UInt8], plaintext: [UInt8]) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: SymmetricKey(data: key), nonce: AES.GCM.Nonce(data: nonce), authenticating: aad)
        return Array(box.ciphertext) + Array(box.tag)
    }

    public func open(key: [UInt8], nonce: [UInt8], aad: [UInt8], ciphertext: [UInt8]) throws -> [UInt8] {
        guard ciphertext.count >= 16 else { throw MLSError.decryptionFailed("AEAD ciphertext shorter than its tag") }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext.dropLast(16), tag: ciphertext.suffix(16))
            return Array(try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: aad))
        } catch {
            throw MLSError.decryptionFailed("AEAD")
        }
    }

    // MARK: Signatures (ECDSA P-256 with SHA-256, DER-encoded signatures, uncompressed public keys)

    public func generateSignatureKeyPair() -> SignatureKeyPair {
        let key = P256.Signing.PrivateKey(compactRepresentable: false)
        return SignatureKeyPair(privateKey: Array(key.rawRepresentation), publicKey: Array(key.publicKey.x963Representation))
    }

    /// The key pair for a raw private scalar.
    public func signatureKeyPair(privateKey: [UInt8]) throws -> SignatureKeyPair {
        guard let key = try? P256.Signing.PrivateKey(rawRepresentation: privateKey) else { throw MLSError.invalidKey("signature private key") }
        return SignatureKeyPair(privateKey: privateKey, publicKey: Array(key.publicKey.x963Representation))
    }

    public func sign(privateKey: [UInt8], message: [UInt8]) throws -> [UInt8] {
        guard let key = try? P256.Signing.PrivateKey(rawRepresentation: privateKey) else { throw MLSError.invalidKey("signature private key") }
        return Array(try key.signature(for: message).derRepresentation)
    }

    public func verify(publicKey: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        guard let key = try? P256.Signing.PublicKey(x963Representation: publicKey),
              let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
        return key.isValidSignature(parsed, for: message)
    }

    /// Whether `publicKey` is a valid signature public key of this suite.
    public func isValidSignaturePublicKey(_ publicKey: [UInt8]) -> Bool {
        (try? P256.Signing.PublicKey(x963Representation: publicKey)) != nil
    }

    // MARK: HPKE (RFC 9180, base mode; DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM)

    private var hpkeSuite: HPKE.Ciphersuite {
        HPKE.Ciphersuite(kem: .P256_HKDF_SHA256, kdf: .HKDF_SHA256, aead: .AES_GCM_128)
    }

    /// SealBase: returns the KEM output and the ciphertext.
    public func hpkeSeal(publicKey: [UInt8], info: [UInt8], aad: [UInt8], plaintext: [UInt8]) throws -> (kemOutput: [UInt8], ciphertext: [UInt8]) {
        guard let recipient = try? P256.KeyAgreement.PublicKey(x963Representation: publicKey) else { throw MLSError.invalidKey("HPKE public key") }
        var sender = try HPKE.Sender(recipientKey: recipient, ciphersuite: hpkeSuite, info: Data(info))
        let ciphertext = try sender.seal(plaintext, authenticating: aad)
        return (Array(sender.encapsulatedKey), Array(ciphertext))
    }

    /// OpenBase.
    public func hpkeOpen(privateKey: [UInt8], kemOutput: [UInt8], info: [UInt8], aad: [UInt8], ciphertext: [UInt8]) throws -> [UInt8] {
        guard let key = try? P256.KeyAgreement.PrivateKey(rawRepresentation: privateKey) else { throw MLSError.invalidKey("HPKE private key") }
        do {
            var recipient = try HPKE.Recipient(privateKey: key, ciphersuite: hpkeSuite, info: Data(info), encapsulatedKey: Data(kemOutput))
            return Array(try recipient.open(ciphertext, authenticating: aad))
        } catch {
            throw MLSError.decryptionFailed("HPKE")
        }
    }

    /// The HPKE public key of a raw private key.
    public func hpkePublicKey(privateKey: [UInt8]) throws -> [UInt8] {
        guard let key = try? P256.KeyAgreement.PrivateKey(rawRepresentation: privateKey) else { throw MLSError.invalidKey("HPKE private key") }
        return Array(key.publicKey.x963Representation)
    }

    public func isValidHPKEPublicKey(_ publicKey: [UInt8]) -> Bool {
        (try? P256.KeyAgreement.PublicKey(x963Representation: publicKey)) != nil
    }

    public func generateHPKEKeyPair() -> HPKEKeyPair {
        let key = P256.KeyAgreement.PrivateKey(compactRepresentable: false)
        return HPKEKeyPair(privateKey: Array(key.rawRepresentation), publicKey: Array(key.publicKey.x963Representation))
    }

    /// DeriveKeyPair for DHKEM(P-256, HKDF-SHA256) (RFC 9180 §7.1.3), which swift-crypto does not
    /// offer: candidates are expanded from the input until one is a valid scalar.
    public func deriveHPKEKeyPair(ikm: [UInt8]) throws -> HPKEKeyPair {
        let suiteID: [UInt8] = Array("KEM".utf8) + [0x00, 0x10]
        let versionLabel = Array("HPKE-v1".utf8)
        let prk = extract(salt: [], ikm: versionLabel + suiteID + Array("dkp_prk".utf8) + ikm)
        for counter in 0...255 {
            let info: [UInt8] = [0x00, 0x20] + versionLabel + suiteID + Array("candidate".utf8) + [UInt8(counter)]
            let candidate = expand(prk: prk, info: info, length: 32)  // bitmask 0xFF for P-256: no masking
            guard Self.isValidP256Scalar(candidate),
                  let key = try? P256.KeyAgreement.PrivateKey(rawRepresentation: candidate) else { continue }
            return HPKEKeyPair(privateKey: candidate, publicKey: Array(key.publicKey.x963Representation))
        }
        throw MLSError.invalidKey("DeriveKeyPair found no valid scalar")
    }

    /// 0 < scalar < n, the order of the P-256 group.
    private static func isValidP256Scalar(_ scalar: [UInt8]) -> Bool {
        let order: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
        ]
        guard scalar.contains(where: { $0 != 0 }) else { return false }
        return scalar.lexicographicallyPrecedes(order)
    }

    /// Fresh random bytes (path secrets, leaf secrets, init secrets).
    public func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// A signature key pair: the raw private scalar and the uncompressed public point.
public struct SignatureKeyPair: Hashable, Sendable {
    public let privateKey: [UInt8]
    public let publicKey: [UInt8]
}

/// An HPKE key pair: the raw private scalar and the uncompressed public point.
public struct HPKEKeyPair: Hashable, Sendable {
    public let privateKey: [UInt8]
    public let publicKey: [UInt8]
}
