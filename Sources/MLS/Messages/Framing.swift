/// WireFormat (§6).
public enum WireFormat: UInt16, Sendable {
    case publicMessage = 1
    case privateMessage = 2
    case welcome = 3
    case groupInfo = 4
    case keyPackage = 5
}

/// ContentType (§6).
public enum ContentType: UInt8, Sendable {
    case application = 1
    case proposal = 2
    case commit = 3
}

/// Sender (§6).
public enum Sender: Hashable, Sendable, MLSCodable {
    case member(leafIndex: UInt32)
    case external(senderIndex: UInt32)
    case newMemberProposal
    case newMemberCommit

    public init(from reader: inout TLSReader) throws {
        let type = try reader.readUInt8()
        switch type {
        case 1: self = .member(leafIndex: try reader.readUInt32())
        case 2: self = .external(senderIndex: try reader.readUInt32())
        case 3: self = .newMemberProposal
        case 4: self = .newMemberCommit
        default: throw MLSCodecError.unknownValue("SenderType", UInt64(type))
        }
    }

    public func encode(to writer: inout TLSWriter) {
        switch self {
        case .member(let leafIndex):
            writer.write(UInt8(1))
            writer.write(leafIndex)
        case .external(let senderIndex):
            writer.write(UInt8(2))
            writer.write(senderIndex)
        case .newMemberProposal: writer.write(UInt8(3))
        case .newMemberCommit: writer.write(UInt8(4))
        }
    }

    /// Senders whose signed content includes the group context (§6.1).
    var signsGroupContext: Bool {
        switch self {
        case .member, .newMemberCommit: return true
        case .external, .newMemberProposal: return false
        }
    }
}

/// The body of a FramedContent, by content type.
public enum FramedBody: Hashable, Sendable {
    case application([UInt8])
    case proposal(Proposal)
    case commit(Commit)

    public var contentType: ContentType {
        switch self {
        case .application: return .application
        case .proposal: return .proposal
        case .commit: return .commit
        }
    }
}

/// FramedContent (§6).
public struct FramedContent: Hashable, Sendable, MLSCodable {
    public var groupID: [UInt8]
    public var epoch: UInt64
    public var sender: Sender
    public var authenticatedData: [UInt8]
    public var body: FramedBody

    public init(groupID: [UInt8], epoch: UInt64, sender: Sender, authenticatedData: [UInt8], body: FramedBody) {
        self.groupID = groupID
        self.epoch = epoch
        self.sender = sender
        self.authenticatedData = authenticatedData
        self.body = body
    }

    public init(from reader: inout TLSReader) throws {
        groupID = try reader.readOpaque()
        epoch = try reader.readUInt64()
        sender = try reader.read()
        authenticatedData = try reader.readOpaque()
        switch try reader.readEnum(ContentType.self) {
        case .application: body = .application(try reader.readOpaque())
        case .proposal: body = .proposal(try reader.read())
        case .commit: body = .commit(try reader.read())
        }
    }

    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(groupID)
        writer.write(epoch)
        writer.write(sender)
        writer.writeOpaque(authenticatedData)
        writer.write(body.contentType.rawValue)
        switch body {
        case .application(let data): writer.writeOpaque(data)
        case .proposal(let proposal): writer.write(proposal)
        case .commit(let commit): writer.write(commit)
        }
    }

    /// FramedContentTBS (§6.1): what the sender signs.
    func toBeSigned(wireFormat: WireFormat, context: GroupContext?) -> [UInt8] {
        var writer = TLSWriter()
        writer.write(ProtocolVersion.mls10.rawValue)
        writer.write(wireFormat.rawValue)
        writer.write(self)
        if sender.signsGroupContext, let context { writer.write(context) }
        return writer.bytes
    }
}

/// FramedContentAuthData (§6.1): the signature, and for commits the confirmation tag.
public struct FramedContentAuthData: Hashable, Sendable {
    public var signature: [UInt8]
    public var confirmationTag: [UInt8]?

    public init(signature: [UInt8], confirmationTag: [UInt8]?) {
        self.signature = signature
        self.confirmationTag = confirmationTag
    }

    init(from reader: inout TLSReader, contentType: ContentType) throws {
        signature = try reader.readOpaque()
        confirmationTag = contentType == .commit ? try reader.readOpaque() : nil
    }

    func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(signature)
        if let confirmationTag { writer.writeOpaque(confirmationTag) }
    }
}

/// AuthenticatedContent (§6.1): the unit proposal references and transcript hashes cover.
public struct AuthenticatedContent: Hashable, Sendable, MLSCodable {
    public var wireFormat: WireFormat
    public var content: FramedContent
    public var auth: FramedContentAuthData

    public init(wireFormat: WireFormat, content: FramedContent, auth: FramedContentAuthData) {
        self.wireFormat = wireFormat
        self.content = content
        self.auth = auth
    }

    public init(from reader: inout TLSReader) throws {
        wireFormat = try reader.readEnum(WireFormat.self)
        content = try reader.read()
        auth = try FramedContentAuthData(from: &reader, contentType: content.body.contentType)
    }

    public func encode(to writer: inout TLSWriter) {
        writer.write(wireFormat.rawValue)
        writer.write(content)
        auth.encode(to: &writer)
    }

    /// Signs `content` as its sender (§6.1).
    static func sign(suite: CipherSuite, wireFormat: WireFormat, content: FramedContent, context: GroupContext?,
                     privateKey: [UInt8], confirmationTag: [UInt8]? = nil) throws -> AuthenticatedContent {
        let signature = try suite.signWithLabel(privateKey: privateKey, label: "FramedContentTBS",
                                                content: content.toBeSigned(wireFormat: wireFormat, context: context))
        return AuthenticatedContent(wireFormat: wireFormat, content: content,
                                    auth: FramedContentAuthData(signature: signature, confirmationTag: confirmationTag))
    }

    func verifySignature(suite: CipherSuite, publicKey: [UInt8], context: GroupContext?) -> Bool {
        suite.verifyWithLabel(publicKey: publicKey, label: "FramedContentTBS",
                              content: content.toBeSigned(wireFormat: wireFormat, context: context), signature: auth.signature)
    }

    /// AuthenticatedContentTBM (§6.2): what the membership tag covers.
    func toBeMACed(context: GroupContext) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeRaw(content.toBeSigned(wireFormat: wireFormat, context: context))
        auth.encode(to: &writer)
        return writer.bytes
    }
}

/// PublicMessage (§6.2).
public struct PublicMessage: Hashable, Sendable, MLSCodable {
    public var content: FramedContent
    public var auth: FramedContentAuthData
    /// Present exactly when the sender is a member.
    public var membershipTag: [UInt8]?

    public init(content: FramedContent, auth: FramedContentAuthData, membershipTag: [UInt8]?) {
        self.content = content
        self.auth = auth
        self.membershipTag = membershipTag
    }

    public init(from reader: inout TLSReader) throws {
        content = try reader.read()
        auth = try FramedContentAuthData(from: &reader, contentType: content.body.contentType)
        if case .member = content.sender {
            membershipTag = try reader.readOpaque()
        } else {
            membershipTag = nil
        }
    }

    public func encode(to writer: inout TLSWriter) {
        writer.write(content)
        auth.encode(to: &writer)
        if let membershipTag { writer.writeOpaque(membershipTag) }
    }

    public var authenticatedContent: AuthenticatedContent {
        AuthenticatedContent(wireFormat: .publicMessage, content: content, auth: auth)
    }

    /// Checks a member's message: the membership tag over AuthenticatedContentTBM, then the
    /// sender's signature over FramedContentTBS (§6.1-§6.2).
    func verifyFromMember(suite: CipherSuite, membershipKey: [UInt8], context: GroupContext, signatureKey: [UInt8]) throws {
        let authenticated = authenticatedContent
        guard let membershipTag, suite.mac(key: membershipKey, data: authenticated.toBeMACed(context: context)) == membershipTag else {
            throw MLSError.invalidTag("membership tag")
        }
        guard authenticated.verifySignature(suite: suite, publicKey: signatureKey, context: context) else {
            throw MLSError.invalidSignature("PublicMessage from a member")
        }
    }

    /// Frames signed content, adding the membership tag when the sender is a member (§6.2).
    static func protect(_ authenticated: AuthenticatedContent, suite: CipherSuite, membershipKey: [UInt8],
                        context: GroupContext) -> PublicMessage {
        var tag: [UInt8]?
        if case .member = authenticated.content.sender {
            tag = suite.mac(key: membershipKey, data: authenticated.toBeMACed(context: context))
        }
        return PublicMessage(content: authenticated.content, auth: authenticated.auth, membershipTag: tag)
    }
}

/// PrivateMessage (§6.3): decoded so it can be recognised; decrypting it is outside the subset.
public struct PrivateMessage: Hashable, Sendable, MLSCodable {
    public var groupID: [UInt8]
    public var epoch: UInt64
    public var contentType: ContentType
    public var authenticatedData: [UInt8]
    public var encryptedSenderData: [UInt8]
    public var ciphertext: [UInt8]

    public init(from reader: inout TLSReader) throws {
        groupID = try reader.readOpaque()
        epoch = try reader.readUInt64()
        contentType = try reader.readEnum(ContentType.self)
        authenticatedData = try reader.readOpaque()
        encryptedSenderData = try reader.readOpaque()
        ciphertext = try reader.readOpaque()
    }

    public func encode(to writer: inout TLSWriter) {
        writer.writeOpaque(groupID)
        writer.write(epoch)
        writer.write(contentType.rawValue)
        writer.writeOpaque(authenticatedData)
        writer.writeOpaque(encryptedSenderData)
        writer.writeOpaque(ciphertext)
    }
}
