/// RequiredCapabilities (§11.1): what every member's capabilities must list.
public struct RequiredCapabilities: Hashable, Sendable, MLSCodable {
    public var extensionTypes: [UInt16]
    public var proposalTypes: [UInt16]
    public var credentialTypes: [UInt16]

    public init(from reader: inout TLSReader) throws {
        extensionTypes = try reader.readUInt16Vector()
        proposalTypes = try reader.readUInt16Vector()
        credentialTypes = try reader.readUInt16Vector()
    }

    public func encode(to writer: inout TLSWriter) {
        for list in [extensionTypes, proposalTypes, credentialTypes] { writer.writeVector(list) { $0.write($1) } }
    }

    func isSatisfied(by capabilities: Capabilities) -> Bool {
        extensionTypes.allSatisfy { Extension.isDefault($0) || capabilities.extensions.contains($0) }
            && proposalTypes.allSatisfy { (1...7).contains($0) || capabilities.proposals.contains($0) }
            && credentialTypes.allSatisfy { capabilities.credentials.contains($0) }
    }
}

extension Extension {
    /// Extension types every client supports without listing them (§7.2).
    static func isDefault(_ type: UInt16) -> Bool { (1...5).contains(type) }
}

/// Where a leaf node being validated appeared, which fixes the source it must have (§7.3).
public enum LeafNodeOrigin: Sendable {
    case keyPackage
    case update
    case commit
    /// A leaf of a received tree: any source is acceptable.
    case tree
}

extension RatchetTree {
    /// Leaf node validation (§7.3) for a leaf at `leafIndex` of this tree (or about to be placed
    /// there): credential, signature, capabilities against the group and its members, source,
    /// lifetime when `currentTime` is given, and unique keys among the other members.
    public func validateLeafNode(_ leaf: LeafNode, suite: CipherSuite, groupContext: GroupContext, leafIndex: UInt32?,
                                 origin: LeafNodeOrigin, currentTime: UInt64?, checkingMembers: Bool = true) throws {
        guard case .basic = leaf.credential else { throw MLSError.unsupported("credentials other than basic") }
        guard suite.isValidSignaturePublicKey(leaf.signatureKey) else { throw MLSError.invalidKey("leaf signature key") }
        guard suite.isValidHPKEPublicKey(leaf.encryptionKey) else { throw MLSError.invalidKey("leaf encryption key") }
        let signedIndex = leafIndex ?? 0
        guard leaf.verifySignature(suite: suite, groupID: groupContext.groupID, leafIndex: signedIndex) else {
            throw MLSError.invalidSignature("LeafNode")
        }
        try leaf.extensions.requireUniqueTypes("LeafNode")
        if let required = groupContext.extensions.first(ofType: Extension.requiredCapabilities) {
            let capabilities = try RequiredCapabilities(decoding: required.data)
            guard capabilities.isSatisfied(by: leaf.capabilities) else { throw MLSError.invalid("leaf lacks the group's required capabilities") }
        }
        guard leaf.capabilities.credentials.contains(leaf.credential.credentialType) else {
            throw MLSError.invalid("leaf's capabilities omit its own credential type")
        }
        for extensionType in leaf.extensions.map(\.extensionType) where !Extension.isDefault(extensionType) {
            guard leaf.capabilities.extensions.contains(extensionType) else { throw MLSError.invalid("leaf extension \(extensionType) not in its capabilities") }
        }
        switch (origin, leaf.source) {
        case (.keyPackage, .keyPackage), (.update, .update), (.commit, .commit), (.tree, _): break
        default: throw MLSError.invalid("leaf node source does not match where it appeared")
        }
        if case .keyPackage(let lifetime) = leaf.source, let currentTime {
            guard lifetime.notBefore <= currentTime, currentTime <= lifetime.notAfter else { throw MLSError.invalid("leaf node lifetime") }
        }
        // The checks against the other members (`checkingMembers: false` leaves them to the commit).
        for other in occupiedLeaves where checkingMembers && other != leafIndex {
            guard let member = self.leaf(other) else { continue }
            guard member.capabilities.credentials.contains(leaf.credential.credentialType),
                  leaf.capabilities.credentials.contains(member.credential.credentialType) else {
                throw MLSError.invalid("credential types not supported across members")
            }
            guard member.signatureKey != leaf.signatureKey else { throw MLSError.invalid("duplicate signature key") }
            guard member.encryptionKey != leaf.encryptionKey else { throw MLSError.invalid("duplicate encryption key") }
        }
    }

    /// The checks a joiner makes on a received tree (§12.4.3.1), apart from the tree hash, which
    /// the caller compares with the GroupInfo.
    public func validate(suite: CipherSuite, groupContext: GroupContext, currentTime: UInt64? = nil) throws {
        guard verifyParentHashes(suite: suite) else { throw MLSError.invalid("ratchet tree is not parent-hash valid") }
        for index in occupiedLeaves {
            guard let leaf = leaf(index) else { continue }
            try validateLeafNode(leaf, suite: suite, groupContext: groupContext, leafIndex: index, origin: .tree, currentTime: currentTime)
        }
        var encryptionKeys = Set<[UInt8]>()
        for node in nodes.compactMap({ $0 }) {
            guard encryptionKeys.insert(node.encryptionKey).inserted else { throw MLSError.invalid("encryption key appears twice in the tree") }
        }
        for node in stride(from: 1, to: nodes.count, by: 2) {
            guard let parent = parent(at: node) else { continue }
            guard suite.isValidHPKEPublicKey(parent.encryptionKey) else { throw MLSError.invalidKey("parent encryption key") }
            guard Set(parent.unmergedLeaves).count == parent.unmergedLeaves.count else { throw MLSError.invalid("unmerged leaf listed twice") }
            for unmerged in parent.unmergedLeaves {
                let leafNode = TreeMath.nodeIndex(leaf: unmerged)
                guard leafNode < nodes.count, leaf(unmerged) != nil, TreeMath.isInSubtree(leafNode, of: node) else {
                    throw MLSError.invalid("unmerged leaf is blank or not below its parent")
                }
                for between in TreeMath.directPath(leafNode, leafCount: leafCount)
                where between != node && TreeMath.isInSubtree(between, of: node) {
                    guard let intermediate = self.parent(at: between) else { continue }
                    guard intermediate.unmergedLeaves.contains(unmerged) else {
                        throw MLSError.invalid("unmerged leaf missing from an intermediate node")
                    }
                }
            }
        }
    }
}
