/// TreeKEM (RFC 9420 §7.4-§7.6, §12.4.2): a committer refreshes its leaf and the keys on its
/// filtered direct path and encrypts each new path secret to the subtree that did not change; each
/// other member decrypts the one secret meant for it and derives the rest up to the commit secret.
extension RatchetTree {
    /// The HPKE private keys a member holds, found by their public keys (which survive the tree's
    /// changes without index bookkeeping; a key whose node was blanked is simply never looked up).
    public typealias PrivateKeys = [[UInt8]: [UInt8]]

    /// The result of creating an UpdatePath.
    public struct CreatedPath: Sendable {
        public let path: UpdatePath
        public let commitSecret: [UInt8]
        /// New private keys: the leaf's and every node's on the filtered direct path.
        public let privateKeys: PrivateKeys
        /// The path secret of each node of the filtered direct path, by node index (for Welcomes).
        public let pathSecrets: [Int: [UInt8]]
    }

    /// The path secrets for `count` nodes starting from `first`, and the commit secret after them.
    static func pathSecrets(suite: CipherSuite, first: [UInt8], count: Int) -> (secrets: [[UInt8]], commitSecret: [UInt8]) {
        var secrets: [[UInt8]] = []
        var current = first
        for _ in 0..<count {
            secrets.append(current)
            current = suite.deriveSecret(secret: current, label: "path")
        }
        return (secrets, current)
    }

    static func nodeKeyPair(suite: CipherSuite, pathSecret: [UInt8]) throws -> HPKEKeyPair {
        try suite.deriveHPKEKeyPair(ikm: suite.deriveSecret(secret: pathSecret, label: "node"))
    }

    /// Sets the parent nodes of `leaf`'s filtered direct path to `publicKeys` (bottom up), blanks the
    /// rest of the direct path, and fills in the parent hashes top-down (§7.9). Returns the parent
    /// hash the leaf must carry.
    mutating func mergePathKeys(suite: CipherSuite, leaf: UInt32, filteredPath: [(node: Int, copathChild: Int)],
                                publicKeys: [[UInt8]]) -> [UInt8] {
        blankDirectPath(leaf)
        for (entry, key) in zip(filteredPath, publicKeys) {
            set(entry.node, .parent(ParentNode(encryptionKey: key, parentHash: [], unmergedLeaves: [])))
        }
        var below: [UInt8] = []
        for entry in filteredPath.reversed() {
            if case .parent(var parentNode)? = nodes[entry.node] {
                parentNode.parentHash = below
                set(entry.node, .parent(parentNode))
            }
            let pathChild = entry.copathChild == TreeMath.left(entry.node) ? TreeMath.right(entry.node) : TreeMath.left(entry.node)
            below = parentHash(suite: suite, of: entry.node, towards: pathChild) ?? []
        }
        return below
    }

    /// Creates an UpdatePath for `leafIndex` on this tree (proposals already applied) and merges it.
    /// `newLeaves` (added by the same commit) receive no path secret; `context` gives the provisional
    /// group context for a tree hash, which the path secrets are encrypted under.
    public mutating func createUpdatePath(suite: CipherSuite, leafIndex: UInt32, signaturePrivateKey: [UInt8], groupID: [UInt8],
                                          newLeaves: Set<UInt32>, leafSecret: [UInt8]? = nil,
                                          context: ([UInt8]) -> GroupContext) throws -> CreatedPath {
        guard let oldLeaf = leaf(leafIndex) else { throw MLSError.invalid("committer's leaf is blank") }
        let filteredPath = filteredDirectPath(leafIndex)
        let (secrets, commitSecret) = Self.pathSecrets(suite: suite, first: leafSecret ?? suite.randomBytes(suite.hashLength),
                                                        count: filteredPath.count)
        let keyPairs = try secrets.map { try Self.nodeKeyPair(suite: suite, pathSecret: $0) }
        let parentHash = mergePathKeys(suite: suite, leaf: leafIndex, filteredPath: filteredPath, publicKeys: keyPairs.map(\.publicKey))

        let leafKey = suite.generateHPKEKeyPair()
        var newLeaf = LeafNode(encryptionKey: leafKey.publicKey, signatureKey: oldLeaf.signatureKey, credential: oldLeaf.credential,
                               capabilities: oldLeaf.capabilities, source: .commit(parentHash: parentHash), extensions: oldLeaf.extensions)
        try newLeaf.sign(suite: suite, privateKey: signaturePrivateKey, groupID: groupID, leafIndex: leafIndex)
        set(TreeMath.nodeIndex(leaf: leafIndex), .leaf(newLeaf))

        let encryptionContext = context(treeHash(suite: suite)).encoded
        var pathNodes: [UpdatePathNode] = []
        for (index, entry) in filteredPath.enumerated() {
            let recipients = resolution(entry.copathChild).filter { !isNewLeaf($0, newLeaves) }
            let ciphertexts = try recipients.compactMap { recipient -> HPKECiphertext? in
                guard let key = nodes[recipient]?.encryptionKey else { return nil }
                return try suite.encryptWithLabel(publicKey: key, label: "UpdatePathNode", context: encryptionContext, plaintext: secrets[index])
            }
            pathNodes.append(UpdatePathNode(encryptionKey: keyPairs[index].publicKey, encryptedPathSecret: ciphertexts))
        }
        var keys: PrivateKeys = [leafKey.publicKey: leafKey.privateKey]
        for pair in keyPairs { keys[pair.publicKey] = pair.privateKey }
        var secretsByNode: [Int: [UInt8]] = [:]
        for (entry, secret) in zip(filteredPath, secrets) { secretsByNode[entry.node] = secret }
        return CreatedPath(path: UpdatePath(leafNode: newLeaf, nodes: pathNodes), commitSecret: commitSecret, privateKeys: keys,
                           pathSecrets: secretsByNode)
    }

    private func isNewLeaf(_ node: Int, _ newLeaves: Set<UInt32>) -> Bool {
        TreeMath.isLeaf(node) && newLeaves.contains(TreeMath.leafIndex(node: node))
    }

    /// Merges a received UpdatePath from `sender` into this tree (proposals already applied): checks
    /// its shape and the leaf's parent hash (§7.9.2), then sets the sender's leaf and path keys.
    public mutating func mergeUpdatePath(suite: CipherSuite, sender: UInt32, path: UpdatePath) throws {
        let filteredPath = filteredDirectPath(sender)
        guard path.nodes.count == filteredPath.count else { throw MLSError.invalid("UpdatePath length does not match the filtered direct path") }
        for node in path.nodes where !suite.isValidHPKEPublicKey(node.encryptionKey) {
            throw MLSError.invalidKey("UpdatePath node key")
        }
        let parentHash = mergePathKeys(suite: suite, leaf: sender, filteredPath: filteredPath, publicKeys: path.nodes.map(\.encryptionKey))
        guard path.leafNode.parentHash == parentHash else { throw MLSError.invalid("UpdatePath leaf parent hash does not match") }
        set(TreeMath.nodeIndex(leaf: sender), .leaf(path.leafNode))
    }

    /// Decrypts, for the member at `receiver`, the path secret a merged UpdatePath from `sender`
    /// carries (§12.4.2), checks every derived public key against the path, and returns the path
    /// secret received (for tests), the commit secret and the private keys gained.
    public func decryptUpdatePath(suite: CipherSuite, sender: UInt32, path: UpdatePath, receiver: UInt32, privateKeys: PrivateKeys,
                                  newLeaves: Set<UInt32>, context: GroupContext) throws
        -> (pathSecret: [UInt8], commitSecret: [UInt8], privateKeys: PrivateKeys) {
        let filteredPath = filteredDirectPath(sender)
        let receiverNode = TreeMath.nodeIndex(leaf: receiver)
        guard let position = filteredPath.firstIndex(where: { TreeMath.isInSubtree(receiverNode, of: $0.copathChild) }),
              position < path.nodes.count else {
            throw MLSError.invalid("receiver is not below the committer's filtered direct path")
        }
        let recipients = resolution(filteredPath[position].copathChild).filter { !isNewLeaf($0, newLeaves) }
        let ciphertexts = path.nodes[position].encryptedPathSecret
        guard ciphertexts.count == recipients.count else { throw MLSError.invalid("UpdatePath node has the wrong number of ciphertexts") }
        guard let slot = recipients.firstIndex(where: { node in nodes[node].map { privateKeys[$0.encryptionKey] != nil } ?? false }),
              let publicKey = nodes[recipients[slot]]?.encryptionKey, let privateKey = privateKeys[publicKey] else {
            throw MLSError.invalid("no private key for any node the path secret was encrypted to")
        }
        let pathSecret = try suite.decryptWithLabel(privateKey: privateKey, label: "UpdatePathNode", context: context.encoded,
                                                    ciphertext: ciphertexts[slot])
        let (secrets, commitSecret) = Self.pathSecrets(suite: suite, first: pathSecret, count: filteredPath.count - position)
        var gained: PrivateKeys = [:]
        for (offset, secret) in secrets.enumerated() {
            let pair = try Self.nodeKeyPair(suite: suite, pathSecret: secret)
            guard pair.publicKey == path.nodes[position + offset].encryptionKey else {
                throw MLSError.invalid("a path secret does not match the UpdatePath's public key")
            }
            gained[pair.publicKey] = pair.privateKey
        }
        return (pathSecret, commitSecret, gained)
    }
}
