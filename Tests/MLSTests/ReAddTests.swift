@testable import MLS
import Testing

/// A member removed and re-added in one commit with a new key package but its old signature key
/// (DAVE: the gateway's answer to op 31): the Add is checked against the members when the commit
/// applies it, after the Remove. Without that Remove, the duplicate key is still refused.
struct ReAddTests {
    @Test func removeAndReAddWithTheSameSignatureKey() throws {
        var fixture = try GroupFixture()
        let suite = fixture.suite
        let signer = suite.generateSignatureKeyPair()
        let first = try KeyPackageBundle.create(suite: suite, identity: Array("returning".utf8), signatureKeyPair: signer)
        try fixture.externalProposal(.add(first.keyPackage))
        try fixture.commit(by: "member-0", joiners: ["returning": first])
        let (other, otherBundle) = try fixture.newJoiner()
        try fixture.externalProposal(.add(otherBundle.keyPackage))
        try fixture.commit(by: "member-0", joiners: [other: otherBundle])

        let leaf = try #require(fixture.leafIndex(of: "returning"))
        let again = try KeyPackageBundle.create(suite: suite, identity: Array("returning".utf8), signatureKeyPair: signer)
        fixture.members["returning"] = nil
        try fixture.externalProposal(.remove(leafIndex: leaf))
        try fixture.externalProposal(.add(again.keyPackage))
        try fixture.commit(by: other, joiners: ["returning": again])
        fixture.expectAgreement()
        #expect(fixture.members.count == 3)
    }

    @Test func duplicateSignatureKeyWithoutRemoveIsRefused() throws {
        var fixture = try GroupFixture()
        let suite = fixture.suite
        let signer = suite.generateSignatureKeyPair()
        let first = try KeyPackageBundle.create(suite: suite, identity: Array("one".utf8), signatureKeyPair: signer)
        try fixture.externalProposal(.add(first.keyPackage))
        try fixture.commit(by: "member-0", joiners: ["one": first])
        let twin = try KeyPackageBundle.create(suite: suite, identity: Array("two".utf8), signatureKeyPair: signer)
        try fixture.externalProposal(.add(twin.keyPackage))
        #expect(throws: MLSError.invalid("duplicate signature key")) { try fixture.members["member-0"]?.commit() }
    }
}
