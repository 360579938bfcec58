/// Index arithmetic of the array-based complete binary tree (RFC 9420 §4.2, Appendix C).
/// Leaf i sits at node 2i; parents at odd indices; the tree always has a power-of-two leaf count.
public enum TreeMath {
    /// floor(log2(x)), 0 for 0.
    public static func log2(_ x: Int) -> Int {
        x <= 0 ? 0 : (Int.bitWidth - 1 - x.leadingZeroBitCount)
    }

    /// Leaves are level 0; a parent is one above its children.
    public static func level(_ x: Int) -> Int {
        (~x).trailingZeroBitCount
    }

    public static func isLeaf(_ x: Int) -> Bool { x & 1 == 0 }

    public static func nodeWidth(leafCount n: Int) -> Int {
        n == 0 ? 0 : 2 * (n - 1) + 1
    }

    public static func root(leafCount n: Int) -> Int {
        (1 << log2(nodeWidth(leafCount: n))) - 1
    }

    /// Children of a parent node (level > 0).
    public static func left(_ x: Int) -> Int {
        x ^ (1 << (level(x) - 1))
    }

    public static func right(_ x: Int) -> Int {
        x ^ (3 << (level(x) - 1))
    }

    /// The parent of a non-root node.
    public static func parent(_ x: Int, leafCount n: Int) -> Int {
        let k = level(x)
        let b = (x >> (k + 1)) & 1
        return (x | (1 << k)) ^ (b << (k + 1))
    }

    public static func sibling(_ x: Int, leafCount n: Int) -> Int {
        let p = parent(x, leafCount: n)
        return x < p ? right(p) : left(p)
    }

    /// Ancestors of `x`, from its parent up to the root.
    public static func directPath(_ x: Int, leafCount n: Int) -> [Int] {
        let r = root(leafCount: n)
        var path: [Int] = []
        var node = x
        while node != r {
            node = parent(node, leafCount: n)
            path.append(node)
        }
        return path
    }

    /// The sibling of `x` and of each ancestor below the root, from the bottom up.
    public static func copath(_ x: Int, leafCount n: Int) -> [Int] {
        var nodes = [x] + directPath(x, leafCount: n)
        nodes.removeLast()
        return nodes.map { sibling($0, leafCount: n) }
    }

    /// Whether `descendant` lies in the subtree rooted at `ancestor` (itself included).
    public static func isInSubtree(_ descendant: Int, of ancestor: Int) -> Bool {
        let k = level(ancestor)
        let lower = ancestor - ((1 << k) - 1)
        let upper = ancestor + ((1 << k) - 1)
        return descendant >= lower && descendant <= upper
    }

    public static func nodeIndex(leaf: UInt32) -> Int { Int(leaf) * 2 }
    public static func leafIndex(node: Int) -> UInt32 { UInt32(node / 2) }
}
