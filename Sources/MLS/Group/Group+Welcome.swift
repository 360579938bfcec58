/// Welcomes (§12.4.3): creating one for the members a commit adds, and joining a group from one.
extension Group {
    /// The Welcome for `added` members, made by the group of the new epoch (`self`): a GroupInfo
    /// with the ratchet tree inline, signed by this member and encrypted under the welcome secret,
    /// and for each joiner its GroupSecrets (the joiner secret, and the path secret of the lowest
    /// node of the committer's path above it) encrypted to its init key.
    func makeWelcome(for added: [(leafIndex: UInt32, keyPackage: KeyPackage)], confirmationTag: [UInt8],
                     pathSecrets: [Int: [UInt8]]) throws -> Welcome {
        var groupInfo = GroupInfo(groupContext: context, extensions: [Extension(extensionType: Extension.ratchetTree, data: tree.encoded)],
                                  confirmationTag: confirmationTag, signer: myLeafIndex)
        groupInfo.signature = try suite.signWithLabel(privateKey: signatureKeyPair.privateKey, label: "GroupInfoTBS", content: groupInfo.toBeSigned)
        let (key, nonce) = EpochSecrets.welcomeKeyAndNonce(suite: suite, welcomeSecret: secrets.welcomeSecret)
        let encryptedGroupInfo = try suite.seal(key: key, nonce: nonce, aad: [], plaintext: groupInfo.encoded)
        let committerPath = TreeMath.directPath(TreeMath.nodeIndex(leaf: myLeafIndex), leafCount: tree.leafCount)
        var encryptedSecrets: [EncryptedGroupSecrets] = []
        for (leafIndex, keyPackage) in added {
            let joinerNode = TreeMath.nodeIndex(leaf: leafIndex)
            let pathSecret = committerPath.first { TreeMath.isInSubtree(joinerNode, of: $0) && pathSecrets[$0] != nil }.flatMap { pathSecrets[$0] }
            let groupSecrets = GroupSecrets(joinerSecret: secrets.joinerSecret, pathSecret: pathSecret, psks: [])
            let ciphertext = try suite.encryptWithLabel(publicKey: keyPackage.initKey, label: "Welcome", context: encryptedGroupInfo,
                                                        plaintext: groupSecrets.encoded)
            encryptedSecrets.append(EncryptedGroupSecrets(newMember: suite.keyPackageRef(keyPackage), encryptedGroupSecrets: ciphertext))
        }
        return Welcome(cipherSuite: suite.id, secrets: encryptedSecrets, encryptedGroupInfo: encryptedGroupInfo)
    }

    /// Joins a group from a Welcome (§12.4.3.1) with the key package it was made for. The ratchet
    /// tree comes from the GroupInfo's ratchet_tree extension, or from `ratchetTree` when given.
    /// Every check of the RFC is made: the GroupInfo signature, the tree hash and the whole tree's
    /// validity, the path secret against the tree's keys, and the confirmation tag.
    public static func join(welcome: Welcome, keyPackage bundle: KeyPackageBundle, ratchetTree: RatchetTree? = nil,
                            currentTime: UInt64? = nil) throws -> Group {
        let suite = try CipherSuite.require(welcome.cipherSuite)
        guard bundle.keyPackage.cipherSuite == suite.id else { throw MLSError.invalid("Welcome and key package suites differ") }
        let reference = suite.keyPackageRef(bundle.keyPackage)
        guard let mine = welcome.secrets.first(where: { $0.newMember == reference }) else {
            throw MLSError.invalid("Welcome has no secrets for this key package")
        }
        let groupSecrets = try GroupSecrets(decoding: try suite.decryptWithLabel(
            privateKey: bundle.initPrivateKey, label: "Welcome", context: welcome.encryptedGroupInfo, ciphertext: mine.encryptedGroupSecrets))
        guard groupSecrets.psks.isEmpty else { throw MLSError.unsupported("pre-shared keys") }
        let welcomeSecret = EpochSecrets.welcomeSecret(suite: suite, joinerSecret: groupSecrets.joinerSecret)
        let (key, nonce) = EpochSecrets.welcomeKeyAndNonce(suite: suite, welcomeSecret: welcomeSecret)
        let groupInfo = try GroupInfo(decoding: try suite.open(key: key, nonce: nonce, aad: [], ciphertext: welcome.encryptedGroupInfo))
        let context = groupInfo.groupContext
        guard context.cipherSuite == suite.id, context.version == .mls10 else { throw MLSError.invalid("GroupInfo suite or version") }
        try groupInfo.extensions.requireUniqueTypes("GroupInfo")
        try context.extensions.requireUniqueTypes("GroupContext")
        _ = try context.externalSenders()

        let tree: RatchetTree
        if let inline = groupInfo.extensions.first(ofType: Extension.ratchetTree) {
            tree = try RatchetTree(decoding: inline.data)
        } else if let ratchetTree {
            tree = ratchetTree
        } else {
            throw MLSError.unsupported("Welcome without the ratchet tree inline")
        }
        guard let signer = tree.leaf(groupInfo.signer),
              suite.verifyWithLabel(publicKey: signer.signatureKey, label: "GroupInfoTBS", content: groupInfo.toBeSigned,
                                    signature: groupInfo.signature) else {
            throw MLSError.invalidSignature("GroupInfo")
        }
        guard tree.treeHash(suite: suite) == context.treeHash else { throw MLSError.invalid("ratchet tree does not match the GroupInfo's tree hash") }
        try tree.validate(suite: suite, groupContext: context, currentTime: currentTime)
        guard let myLeaf = tree.occupiedLeaves.first(where: { tree.leaf($0) == bundle.keyPackage.leafNode }) else {
            throw MLSError.invalid("the tree has no leaf for this key package")
        }

        var privateKeys: RatchetTree.PrivateKeys = [bundle.keyPackage.leafNode.encryptionKey: bundle.encryptionPrivateKey]
        if let pathSecret = groupSecrets.pathSecret {
            let myNode = TreeMath.nodeIndex(leaf: myLeaf)
            let signerNode = TreeMath.nodeIndex(leaf: groupInfo.signer)
            let ancestors = TreeMath.directPath(myNode, leafCount: tree.leafCount)
            guard let common = ancestors.firstIndex(where: { TreeMath.isInSubtree(signerNode, of: $0) }) else {
                throw MLSError.invalid("no common ancestor with the GroupInfo signer")
            }
            var secret = pathSecret
            var first = true
            for node in ancestors[common...] {
                guard let publicKey = tree.nodes[node]?.encryptionKey else {
                    if first { throw MLSError.invalid("path secret for a blank node") }
                    continue
                }
                if !first { secret = suite.deriveSecret(secret: secret, label: "path") }
                first = false
                let pair = try RatchetTree.nodeKeyPair(suite: suite, pathSecret: secret)
                guard pair.publicKey == publicKey else { throw MLSError.invalid("path secret does not match the tree's key") }
                privateKeys[pair.publicKey] = pair.privateKey
            }
        }

        let secrets = EpochSecrets(suite: suite, joinerSecret: groupSecrets.joinerSecret, groupContext: context)
        guard suite.mac(key: secrets.confirmationKey, data: context.confirmedTranscriptHash) == groupInfo.confirmationTag else {
            throw MLSError.invalidTag("GroupInfo confirmation tag")
        }
        return Group(suite: suite, context: context, tree: tree, myLeafIndex: myLeaf, signatureKeyPair: bundle.signatureKeyPair,
                     privateKeys: privateKeys, secrets: secrets,
                     interimTranscriptHash: TranscriptHash.interim(suite: suite, confirmed: context.confirmedTranscriptHash,
                                                                   confirmationTag: groupInfo.confirmationTag),
                     pendingProposals: [], currentTime: currentTime)
    }
}
