/// The ratchet tree (RFC 9420 §4, §7): a complete binary tree in array form whose leaves are members
/// and whose parents hold HPKE keys shared by the leaves below them. Blank nodes are nil.
public struct RatchetTree: Hashable, Sendable {
    /// Always `TreeMath.nodeWidth` of a power-of-two leaf count.
    public private(set) var nodes: [Node?]

    public init(nodes: [Node?]) throws {
        guard let last = nodes.last, last != nil else { throw MLSError.invalid("ratchet tree is empty or ends with a blank node") }
        var leafCount = 1
        while TreeMath.nodeWidth(leafCount: leafCount) < nodes.count { leafCount *= 2 }
        var padded = nodes
        padded.append(contentsOf: Array(repeating: nil, count: TreeMath.nodeWidth(leafCount: leafCount) - nodes.count))
        for (index, node) in padded.enumerated() {
            switch node {
            case .leaf? where !TreeMath.isLeaf(index), .parent? where TreeMath.isLeaf(index):
                throw MLSError.invalid("ratchet tree has a node of the wrong type at \(index)")
            default: break
            }
        }
        self.nodes = padded
    }

    /// A one-member tree.
    public init(firstLeaf: LeafNode) {
        nodes = [.leaf(firstLeaf)]
    }

    /// The ratchet_tree extension's content: `optional<Node> ratchet_tree<V>`, trailing blanks removed.
    public init(from reader: inout TLSReader) throws {
        try self.init(nodes: try reader.readVector { try $0.readOptional(Node.self) })
    }

    public func encode(to writer: inout TLSWriter) {
        var trimmed = nodes
        while let last = trimmed.last, last == nil { trimmed.removeLast() }
        writer.writeVector(trimmed) { $0.writeOptional($1) }
    }

    public var encoded: [UInt8] {
        var writer = TLSWriter()
        encode(to: &writer)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = TLSReader(bytes)
        try self.init(from: &reader)
        try reader.requireEnd()
    }

    public var leafCount: Int { (nodes.count + 1) / 2 }
    public var rootIndex: Int { TreeMath.root(leafCount: leafCount) }

    public func leaf(_ index: UInt32) -> LeafNode? {
        let node = TreeMath.nodeIndex(leaf: index)
        guard node < nodes.count, case .leaf(let leaf)? = nodes[node] else { return nil }
        return leaf
    }

    public func parent(at node: Int) -> ParentNode? {
        guard node < nodes.count, case .parent(let parent)? = nodes[node] else { return nil }
        return parent
    }

    /// Indices of the members' leaves, in order.
    public var occupiedLeaves: [UInt32] {
        (0..<UInt32(leafCount)).filter { leaf($0) != nil }
    }

    // MARK: Resolution and paths

    /// The resolution of a node (§4.1.1): the non-blank nodes that cover its subtree.
    public func resolution(_ node: Int) -> [Int] {
        switch nodes[node] {
        case .leaf?: return [node]
        case .parent(let parent)?: return [node] + parent.unmergedLeaves.map { TreeMath.nodeIndex(leaf: $0) }
        case nil:
            if TreeMath.isLeaf(node) { return [] }
            return resolution(TreeMath.left(node)) + resolution(TreeMath.right(node))
        }
    }

    /// The filtered direct path of a leaf (§4.1.2): its ancestors whose other child's subtree is not
    /// entirely blank, paired with that copath child.
    public func filteredDirectPath(_ leaf: UInt32) -> [(node: Int, copathChild: Int)] {
        let start = TreeMath.nodeIndex(leaf: leaf)
        let path = TreeMath.directPath(start, leafCount: leafCount)
        let copath = TreeMath.copath(start, leafCount: leafCount)
        return zip(path, copath).filter { !resolution($0.1).isEmpty }.map { (node: $0.0, copathChild: $0.1) }
    }

    // MARK: Changes (§7.7, §12.1)

    /// Sets a node (nil blanks it).
    public mutating func set(_ node: Int, _ value: Node?) {
        nodes[node] = value
    }

    /// Blanks the leaf's direct path (not the leaf).
    public mutating func blankDirectPath(_ leaf: UInt32) {
        for node in TreeMath.directPath(TreeMath.nodeIndex(leaf: leaf), leafCount: leafCount) { nodes[node] = nil }
    }

    /// Adds a member at the leftmost blank leaf, growing the tree when full; the leaf is marked
    /// unmerged at every non-blank ancestor (§7.7).
    @discardableResult
    public mutating func add(_ leafNode: LeafNode) -> UInt32 {
        let index: UInt32
        if let blank = (0..<UInt32(leafCount)).first(where: { nodes[TreeMath.nodeIndex(leaf: $0)] == nil }) {
            index = blank
        } else {
            index = UInt32(leafCount)
            nodes.append(contentsOf: Array(repeating: nil, count: nodes.count + 1))
        }
        let node = TreeMath.nodeIndex(leaf: index)
        nodes[node] = .leaf(leafNode)
        for ancestor in TreeMath.directPath(node, leafCount: leafCount) {
            if case .parent(var parent)? = nodes[ancestor] {
                parent.unmergedLeaves.append(index)
                nodes[ancestor] = .parent(parent)
            }
        }
        return index
    }

    /// Removes a member: blanks its leaf and direct path, then drops the right half of the tree while
    /// it holds no member (§12.1.3).
    public mutating func remove(_ leaf: UInt32) {
        nodes[TreeMath.nodeIndex(leaf: leaf)] = nil
        blankDirectPath(leaf)
        while leafCount > 1 {
            let half = leafCount / 2
            let rightHalfEmpty = (half..<leafCount).allSatisfy { nodes[TreeMath.nodeIndex(leaf: UInt32($0))] == nil }
            guard rightHalfEmpty else { break }
            nodes.removeLast(nodes.count - TreeMath.nodeWidth(leafCount: half))
        }
    }
}
