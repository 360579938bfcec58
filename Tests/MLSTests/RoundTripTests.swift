@testable import MLS
import Testing

/// Several members in-process, exchanging encoded messages only.
@Suite struct RoundTripTests {
    /// Grows a group from 1 to 50 members one commit at a time (the gateway proposes each Add, a
    /// rotating member commits, some commits with an UpdatePath), then removes members from the
    /// middle; after every commit all members agree on the epoch authenticator and exporter.
    @Test func growToFiftyThenRemoveFromTheMiddle() throws {
        var fixture = try GroupFixture()
        var commits = 0
        for round in 1..<50 {
            let (name, bundle) = try fixture.newJoiner()
            try fixture.externalProposal(.add(bundle.keyPackage))
            let names = fixture.members.keys.sorted()
            try fixture.commit(by: names[round % names.count], joiners: [name: bundle], forcePath: round % 3 == 0)
            commits += 1
            fixture.expectAgreement()
        }
        #expect(fixture.members.count == 50)
        #expect(fixture.anyGroup.epoch == 49)

        // Remove three members from the middle of the tree in one commit, then one more alone.
        let middle = fixture.anyGroup.members.filter { (20...22).contains($0.leafIndex) }
        for member in middle { try fixture.externalProposal(.remove(leafIndex: member.leafIndex)) }
        let removedNames = middle.map { String(decoding: $0.identity, as: UTF8.self) }
        let before = fixture.members
        try fixture.commit(by: fixture.members.keys.sorted().first { !removedNames.contains($0) }!)
        commits += 1
        #expect(fixture.members.count == 47)
        for name in removedNames { #expect(fixture.members[name] == nil && before[name] != nil) }
        fixture.expectAgreement()

        let target = try #require(fixture.leafIndex(of: "joiner-30"))
        try fixture.externalProposal(.remove(leafIndex: target))
        try fixture.commit(by: "member-0")
        commits += 1
        fixture.expectAgreement()
        #expect(fixture.members.count == 46)

        // A member added into a blank leaf left by a removal.
        let (name, bundle) = try fixture.newJoiner()
        try fixture.externalProposal(.add(bundle.keyPackage))
        try fixture.commit(by: "joiner-40", joiners: [name: bundle])
        commits += 1
        fixture.expectAgreement()
        #expect(fixture.leafIndex(of: name).map { (20...22).contains($0) } == true)
        print("MLS round trips: \(commits) commits, \(fixture.members.count) members agree")
    }

    /// Proposals from members (by reference) and inline proposals in a commit.
    @Test func memberProposalsAndInlineCommits() throws {
        var fixture = try GroupFixture()
        let (first, firstBundle) = try fixture.newJoiner()
        let created = try fixture.members["member-0"]!.commit(inlineProposals: [.add(firstBundle.keyPackage)])
        fixture.members["member-0"] = created.nextGroup
        fixture.members[first] = try Group.join(welcome: try #require(created.welcome), keyPackage: firstBundle)
        fixture.expectAgreement()

        // The joiner proposes an Add; the creator commits it by reference.
        let (second, secondBundle) = try fixture.newJoiner()
        let proposal = try fixture.members[first]!.propose(.add(secondBundle.keyPackage))
        try fixture.members["member-0"]!.receiveProposal(try MLSMessage(decoding: proposal.encoded))
        try fixture.commit(by: "member-0", joiners: [second: secondBundle])
        fixture.expectAgreement()
        #expect(fixture.members.count == 3)

        // An empty commit must carry an UpdatePath, and is processed by all.
        try fixture.commit(by: second)
        fixture.expectAgreement()
    }

    /// A revoked proposal is no longer committed.
    @Test func revokedProposalIsNotCommitted() throws {
        var fixture = try GroupFixture()
        let (_, bundle) = try fixture.newJoiner()
        let message = try fixture.externalProposal(.add(bundle.keyPackage))
        guard case .publicMessage(let publicMessage) = message.body else { Issue.record("not a PublicMessage"); return }
        let reference = fixture.suite.proposalRef(publicMessage.authenticatedContent)
        let revoked = fixture.members["member-0"]!.revokeProposal(reference: reference)
        #expect(revoked)
        let created = try fixture.members["member-0"]!.commit()
        #expect(created.welcome == nil)
        #expect(created.nextGroup.members.count == 1)
    }
}
