/// GroupContext (§8.1): the state every member agrees on in an epoch.
public struct GroupContext: Hashable, Sendable, MLSCodable {
    public var version: ProtocolVersion
    public var cipherSuite: UInt16
    public var groupID: [UInt8]
    public var epoch: UInt64
    public var treeHash: [UInt8]
    public var confirmedTranscriptHash: [UInt8]
    public var extensions: [Extension]

    public init(version: ProtocolVersion = .mls10, cipherSuite: UInt16, groupID: [UInt8], epoch: UInt64, treeHash: [UInt8],
                confirmedTranscriptHash: [UInt8], extensions: [Extension]) {
        self.version = version
        self.cipherSuite = cipherSuite
        self.groupID = groupID
        self.epoch = epoch
        self.treeHash = treeHash
        self.confirmedTranscriptHash = confirmedTranscriptHash
        self.extensions = extensions
    }

    public init(from reader: inout TLSReader) throws {
        version = try reader.readEnum(ProtocolVersion.self)
        cipherSuite = try reader.readUInt16()
        groupID = try reader.readOpaque()
        epoch = try reader.readUInt64()
        treeHash = try reader.readOpaque()
        confirmedTranscriptHash = try reader.readOpaque()
        extensions = try reader.readVector()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.write(version.rawValue)
        writer.write(cipherSuite)
        writer.writeOpaque(groupID)
        writer.write(epoch)
        writer.writeOpaque(treeHash)
        writer.writeOpaque(confirmedTranscriptHash)
        writer.writeVector(extensions)
    }

    /// The external senders the group accepts proposals from (empty when the extension is absent).
    public func externalSenders() throws -> [ExternalSender] {
        guard let ext = extensions.first(ofType: Extension.externalSenders) else { return [] }
        return try ExternalSender.decodeList(ext.data)
    }
}

/// GroupInfo (§12.4.3): the signed state a joiner starts from.
public struct GroupInfo: Hashable, Sendable, MLSCodable {
    public var groupContext: GroupContext
    public var extensions: [Extension]
    public var confirmationTag: [UInt8]
    public var signer: UInt32
    public var signature: [UInt8]

    public init(groupContext: GroupContext, extensions: [Extension], confirmationTag: [UInt8], signer: UInt32, signature: [UInt8] = []) {
        self.groupContext = groupContext
        self.extensions = extensions
        self.confirmationTag = confirmationTag
        self.signer = signer
        self.signature = signature
    }

    public init(from reader: inout TLSReader) throws {
        groupContext = try reader.read()
        extensions = try reader.readVector()
        confirmationTag = try reader.readOpaque()
        signer = try reader.readUInt32()
        signature = try reader.readOpaque()
    }

    private func encodeContent(to writer: inout TLSWriter) {
        writer.write(groupContext)
        writer.writeVector(extensions)
        writer.writeOpaque(confirmationTag)
        writer.write(signer)
    }

    public func encode(to writer: inout TLSWriter) {
        encodeContent(to: &writer)
        writer.writeOpaque(signature)
    }

    var toBeSigned: [UInt8] {
        var writer = TLSWriter()
        encodeContent(to: &writer)
        return writer.bytes
    }
}

/// GroupSecrets (§12.4.3.1): what each joiner decrypts from a Welcome.
public struct GroupSecrets: Hashable, Sendable, MLSCodable {
    public var joinerSecret: [UInt8]
    public var pathSecret: [UInt8]?
    public var psks: [PreSharedKeyID]

    public init(joinerSecret: [UInt8], pathSecret: [UInt8]?, psks: [PreSharedKeyID]) {
        self.joinerSecret = joinerSecret
        self.pathSecret = pathSecret
        self.psks = psks
    }

    public init(from reader: inout TLSReader) throws {
        joinerSecret = try reader.readOpaque()
        pathSecret = try reader.readOptional { try $0.readOpaque() }
        psks = try reader.readVector()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(joinerSecret)
        writer.writeOptional(pathSecret) { $0.writeOpaque($1) }
        writer.writeVector(psks)
    }
}

public struct EncryptedGroupSecrets: Hashable, Sendable, MLSCodable {
    /// The KeyPackageRef of the joiner these secrets are for.
    public var newMember: [UInt8]
    public var encryptedGroupSecrets: HPKECiphertext

    public init(newMember: [UInt8], encryptedGroupSecrets: HPKECiphertext) {
        self.newMember = newMember
        self.encryptedGroupSecrets = encryptedGroupSecrets
    }

    public init(from reader: inout TLSReader) throws {
        newMember = try reader.readOpaque()
        encryptedGroupSecrets = try reader.read()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(newMember)
        writer.write(encryptedGroupSecrets)
    }
}

/// Welcome (§12.4.3.1).
public struct Welcome: Hashable, Sendable, MLSCodable {
    public var cipherSuite: UInt16
    public var secrets: [EncryptedGroupSecrets]
    public var encryptedGroupInfo: [UInt8]

    public init(cipherSuite: UInt16, secrets: [EncryptedGroupSecrets], encryptedGroupInfo: [UInt8]) {
        self.cipherSuite = cipherSuite
        self.secrets = secrets
        self.encryptedGroupInfo = encryptedGroupInfo
    }

    public init(from reader: inout TLSReader) throws {
        cipherSuite = try reader.readUInt16()
        secrets = try reader.readVector()
        encryptedGroupInfo = try reader.readOpaque()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.write(cipherSuite)
        writer.writeVector(secrets)
        writer.writeOpaque(encryptedGroupInfo)
    }
}

/// MLSMessage (§6): the envelope every message travels in.
public struct MLSMessage: Hashable, Sendable, MLSCodable {
    public enum Body: Hashable, Sendable {
        case publicMessage(PublicMessage)
        case privateMessage(PrivateMessage)
        case welcome(Welcome)
        case groupInfo(GroupInfo)
        case keyPackage(KeyPackage)
    }

    public var version: ProtocolVersion
    public var body: Body

    public init(_ body: Body) {
        self.version = .mls10
        self.body = body
    }

    public var wireFormat: WireFormat {
        switch body {
        case .publicMessage: return .publicMessage
        case .privateMessage: return .privateMessage
        case .welcome: return .welcome
        case .groupInfo: return .groupInfo
        case .keyPackage: return .keyPackage
        }
    }

    public init(from reader: inout TLSReader) throws {
        version = try reader.readEnum(ProtocolVersion.self)
        switch try reader.readEnum(WireFormat.self) {
        case .publicMessage: body = .publicMessage(try reader.read())
        case .privateMessage: body = .privateMessage(try reader.read())
        case .welcome: body = .welcome(try reader.read())
        case .groupInfo: body = .groupInfo(try reader.read())
        case .keyPackage: body = .keyPackage(try reader.read())
        }
    }

    public func encode(to writer: inout TLSWriter) {
        writer.write(version.rawValue)
        writer.write(wireFormat.rawValue)
        switch body {
        case .publicMessage(let message): writer.write(message)
        case .privateMessage(let message): writer.write(message)
        case .welcome(let welcome): writer.write(welcome)
        case .groupInfo(let groupInfo): writer.write(groupInfo)
        case .keyPackage(let keyPackage): writer.write(keyPackage)
        }
    }
}
