/// The tree hash (RFC 9420 §7.8) and parent hash (§7.9) of a ratchet tree.
extension RatchetTree {
    /// The tree hash of the whole tree.
    public func treeHash(suite: CipherSuite) -> [UInt8] {
        treeHash(suite: suite, node: rootIndex, excluding: [])
    }

    /// The tree hash of the subtree at `node`, computed as if the leaves in `excluded` were blank and
    /// absent from every unmerged_leaves list (the "original" tree a parent hash was computed over).
    /// `treeHashes` (from `allTreeHashes`) answers every subtree no excluded leaf lies under.
    public func treeHash(suite: CipherSuite, node: Int, excluding excluded: Set<UInt32>, treeHashes: [[UInt8]]? = nil) -> [UInt8] {
        if let treeHashes, !excluded.contains(where: { TreeMath.isInSubtree(TreeMath.nodeIndex(leaf: $0), of: node) }) {
            return treeHashes[node]
        }
        var writer = TLSWriter()
        if TreeMath.isLeaf(node) {
            let index = TreeMath.leafIndex(node: node)
            writer.write(UInt8(1))
            writer.write(index)
            var leaf: LeafNode?
            if case .leaf(let present)? = nodes[node], !excluded.contains(index) { leaf = present }
            writer.writeOptional(leaf)
        } else {
            writer.write(UInt8(2))
            var parentNode: ParentNode?
            if case .parent(var present)? = nodes[node] {
                present.unmergedLeaves.removeAll { excluded.contains($0) }
                parentNode = present
            }
            writer.writeOptional(parentNode)
            writer.writeOpaque(treeHash(suite: suite, node: TreeMath.left(node), excluding: excluded, treeHashes: treeHashes))
            writer.writeOpaque(treeHash(suite: suite, node: TreeMath.right(node), excluding: excluded, treeHashes: treeHashes))
        }
        return suite.hash(writer.bytes)
    }

    /// Every node's tree hash, computed bottom-up once (what the parent-hash checks reuse).
    func allTreeHashes(suite: CipherSuite) -> [[UInt8]] {
        var hashes = Array(repeating: [UInt8](), count: nodes.count)
        for level in 0...TreeMath.level(rootIndex) {
            for node in stride(from: (1 << level) - 1, to: nodes.count, by: 1 << (level + 1)) {
                var writer = TLSWriter()
                if level == 0 {
                    writer.write(UInt8(1))
                    writer.write(TreeMath.leafIndex(node: node))
                    var leaf: LeafNode?
                    if case .leaf(let present)? = nodes[node] { leaf = present }
                    writer.writeOptional(leaf)
                } else {
                    writer.write(UInt8(2))
                    writer.writeOptional(parent(at: node))
                    writer.writeOpaque(hashes[TreeMath.left(node)])
                    writer.writeOpaque(hashes[TreeMath.right(node)])
                }
                hashes[node] = suite.hash(writer.bytes)
            }
        }
        return hashes
    }

    /// The parent hash of `parent` with the given original sibling tree hash (§7.9).
    static func parentHash(suite: CipherSuite, parent: ParentNode, originalSiblingTreeHash: [UInt8]) -> [UInt8] {
        var writer = TLSWriter()
        writer.writeOpaque(parent.encryptionKey)
        writer.writeOpaque(parent.parentHash)
        writer.writeOpaque(originalSiblingTreeHash)
        return suite.hash(writer.bytes)
    }

    /// The parent_hash a node below `node` must carry to chain to it, for the child on `childSide`.
    /// `treeHashes` (from `allTreeHashes`) saves recomputing subtrees no unmerged leaf lies under.
    func parentHash(suite: CipherSuite, of node: Int, towards child: Int, treeHashes: [[UInt8]]? = nil) -> [UInt8]? {
        guard let parent = parent(at: node) else { return nil }
        let sibling = child == TreeMath.left(node) ? TreeMath.right(node) : TreeMath.left(node)
        let siblingHash = treeHash(suite: suite, node: sibling, excluding: Set(parent.unmergedLeaves), treeHashes: treeHashes)
        return Self.parentHash(suite: suite, parent: parent, originalSiblingTreeHash: siblingHash)
    }

    /// The parent hash recorded in a node (a parent's field, or a commit leaf's).
    func recordedParentHash(_ node: Int) -> [UInt8]? {
        switch nodes[node] {
        case .parent(let parent)?: return parent.parentHash
        case .leaf(let leaf)?: return leaf.parentHash
        case nil: return nil
        }
    }

    /// Whether every non-blank parent node is parent-hash valid (§7.9.2, "top down"): exactly one
    /// descendant D chains to it — D in the resolution of a child C, D's parent_hash equal to the
    /// node's parent hash with copath child the other one, and the node's unmerged leaves under C
    /// exactly the rest of C's resolution.
    public func verifyParentHashes(suite: CipherSuite) -> Bool {
        let treeHashes = allTreeHashes(suite: suite)
        for node in stride(from: 1, to: nodes.count, by: 2) {
            guard let parent = parent(at: node) else { continue }
            var chained = 0
            for child in [TreeMath.left(node), TreeMath.right(node)] {
                guard let expected = parentHash(suite: suite, of: node, towards: child, treeHashes: treeHashes) else { continue }
                let childResolution = resolution(child)
                let unmergedUnderChild = Set(parent.unmergedLeaves.map { TreeMath.nodeIndex(leaf: $0) }
                    .filter { TreeMath.isInSubtree($0, of: child) })
                for descendant in childResolution where recordedParentHash(descendant) == expected {
                    if Set(childResolution.filter { $0 != descendant }) == unmergedUnderChild { chained += 1 }
                }
            }
            if chained != 1 { return false }
        }
        return true
    }
}
