/// ProtocolVersion (RFC 9420 §6): only mls10 exists; anything else is refused when decoded.
public enum ProtocolVersion: UInt16, Sendable {
    case mls10 = 1
}

/// Credential (§5.3). DAVE uses basic credentials (the user id as 8 big-endian bytes); X.509 chains
/// decode so messages carrying them can be read, and are refused when validated.
public enum Credential: Hashable, Sendable, MLSCodable {
    case basic(identity: [UInt8])
    case x509(certificates: [[UInt8]])

    public static let basicType: UInt16 = 1
    public static let x509Type: UInt16 = 2

    public var credentialType: UInt16 {
        switch self {
        case .basic: return Self.basicType
        case .x509: return Self.x509Type
        }
    }

    public init(from reader: inout TLSReader) throws {
        let type = try reader.readUInt16()
        switch type {
        case Self.basicType: self = .basic(identity: try reader.readOpaque())
        case Self.x509Type: self = .x509(certificates: try reader.readVector { try $0.readOpaque() })
        default: throw MLSCodecError.unknownValue("CredentialType", UInt64(type))
        }
    }

    public func encode(to writer: inout TLSWriter) {
        writer.write(credentialType)
        switch self {
        case .basic(let identity): writer.writeOpaque(identity)
        case .x509(let certificates): writer.writeVector(certificates) { $0.writeOpaque($1) }
        }
    }
}

/// Capabilities (§7.2). Lists hold registry values, GREASE included, so they stay raw numbers.
public struct Capabilities: Hashable, Sendable, MLSCodable {
    public var versions: [UInt16]
    public var cipherSuites: [UInt16]
    public var extensions: [UInt16]
    public var proposals: [UInt16]
    public var credentials: [UInt16]

    public init(versions: [UInt16], cipherSuites: [UInt16], extensions: [UInt16], proposals: [UInt16], credentials: [UInt16]) {
        self.versions = versions
        self.cipherSuites = cipherSuites
        self.extensions = extensions
        self.proposals = proposals
        self.credentials = credentials
    }

    /// What this module supports: MLS 1.0, the given suite, basic credentials. Default extensions
    /// and proposal types are implied by RFC 9420 and not listed (§7.2).
    public static func supported(by suite: CipherSuite) -> Capabilities {
        Capabilities(versions: [ProtocolVersion.mls10.rawValue], cipherSuites: [suite.id], extensions: [],
                     proposals: [], credentials: [Credential.basicType])
    }

    public init(from reader: inout TLSReader) throws {
        versions = try reader.readUInt16Vector()
        cipherSuites = try reader.readUInt16Vector()
        extensions = try reader.readUInt16Vector()
        proposals = try reader.readUInt16Vector()
        credentials = try reader.readUInt16Vector()
    }

    public func encode(to writer: inout TLSWriter) {
        for list in [versions, cipherSuites, extensions, proposals, credentials] {
            writer.writeVector(list) { $0.write($1) }
        }
    }
}

/// Lifetime (§7.2): seconds since the epoch, inclusive bounds.
public struct Lifetime: Hashable, Sendable, MLSCodable {
    public var notBefore: UInt64
    public var notAfter: UInt64

    public init(notBefore: UInt64, notAfter: UInt64) {
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// The lifetime DAVE uses: always valid.
    public static let unbounded = Lifetime(notBefore: 0, notAfter: .max)

    public init(from reader: inout TLSReader) throws {
        notBefore = try reader.readUInt64()
        notAfter = try reader.readUInt64()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.write(notBefore)
        writer.write(notAfter)
    }
}

/// Extension (§13.4): a type from the registry (open: unknown types are carried) and its data.
public struct Extension: Hashable, Sendable, MLSCodable {
    public var extensionType: UInt16
    public var data: [UInt8]

    public static let applicationID: UInt16 = 1
    public static let ratchetTree: UInt16 = 2
    public static let requiredCapabilities: UInt16 = 3
    public static let externalPub: UInt16 = 4
    public static let externalSenders: UInt16 = 5

    public init(extensionType: UInt16, data: [UInt8]) {
        self.extensionType = extensionType
        self.data = data
    }

    public init(from reader: inout TLSReader) throws {
        extensionType = try reader.readUInt16()
        data = try reader.readOpaque()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.write(extensionType)
        writer.writeOpaque(data)
    }
}

extension Array where Element == Extension {
    public func first(ofType type: UInt16) -> Extension? { first { $0.extensionType == type } }

    /// A list of extensions must not name a type twice (§13.4).
    func requireUniqueTypes(_ what: String) throws {
        guard Set(map(\.extensionType)).count == count else { throw MLSError.invalid("\(what): duplicate extension type") }
    }
}

/// ExternalSender (§12.1.8.1): a signer allowed to propose without being a member.
public struct ExternalSender: Hashable, Sendable, MLSCodable {
    public var signatureKey: [UInt8]
    public var credential: Credential

    public init(signatureKey: [UInt8], credential: Credential) {
        self.signatureKey = signatureKey
        self.credential = credential
    }

    public init(from reader: inout TLSReader) throws {
        signatureKey = try reader.readOpaque()
        credential = try reader.read()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(signatureKey)
        writer.write(credential)
    }

    /// The external_senders extension: `ExternalSender external_senders<V>`.
    public static func extensionData(_ senders: [ExternalSender]) -> Extension {
        var writer = TLSWriter()
        writer.writeVector(senders)
        return Extension(extensionType: Extension.externalSenders, data: writer.bytes)
    }

    public static func decodeList(_ data: [UInt8]) throws -> [ExternalSender] {
        var reader = TLSReader(data)
        let senders: [ExternalSender] = try reader.readVector()
        try reader.requireEnd()
        return senders
    }
}

/// HPKECiphertext (§5.1.3).
public struct HPKECiphertext: Hashable, Sendable, MLSCodable {
    public var kemOutput: [UInt8]
    public var ciphertext: [UInt8]

    public init(kemOutput: [UInt8], ciphertext: [UInt8]) {
        self.kemOutput = kemOutput
        self.ciphertext = ciphertext
    }

    public init(from reader: inout TLSReader) throws {
        kemOutput = try reader.readOpaque()
        ciphertext = try reader.readOpaque()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(kemOutput)
        writer.writeOpaque(ciphertext)
    }
}
