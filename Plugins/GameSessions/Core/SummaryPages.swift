/// Summary mode: a source's sessions packed into messages of up to ten, each session keeping its
/// slot while it lives. A session that ends frees its slot and a new one takes the first free
/// slot, so a change touches one page instead of shifting every later page.
public struct SummaryPages: Sendable, Equatable, Codable {
    public static let sessionsPerPage = 10

    /// Session ids per page; a page never shrinks away (its message is reused).
    public private(set) var pages: [[String]]

    public init(pages: [[String]] = []) {
        self.pages = pages.map { Array($0.prefix(Self.sessionsPerPage)) }
        if self.pages.isEmpty { self.pages = [[]] }
    }

    /// Fits the layout to the live sessions (in feed order); returns the pages whose members changed.
    @discardableResult
    public mutating func sync(live ids: [String]) -> Set<Int> {
        let live = Set(ids)
        var changed = Set<Int>()
        var placed = Set<String>()
        for index in pages.indices {
            let kept = pages[index].filter { live.contains($0) && placed.insert($0).inserted }
            if kept.count != pages[index].count { changed.insert(index) }
            pages[index] = kept
        }
        for id in ids where !placed.contains(id) {
            placed.insert(id)
            if let index = pages.firstIndex(where: { $0.count < Self.sessionsPerPage }) {
                pages[index].append(id)
                changed.insert(index)
            } else {
                pages.append([id])
                changed.insert(pages.count - 1)
            }
        }
        return changed
    }

    public func page(of id: String) -> Int? {
        pages.firstIndex { $0.contains(id) }
    }
}
