@testable import MLS
import Testing

/// Each way an encoding can be malformed maps to its own typed error.
@Suite struct CodecStrictnessTests {
    @Test func nonMinimalLengthsAreRefused() {
        // 5 written with two bytes, 63 with four: both must use one byte.
        #expect(throws: MLSCodecError.nonMinimalLength) { var r = TLSReader([0x40, 0x05]); _ = try r.readVarint() }
        #expect(throws: MLSCodecError.nonMinimalLength) { var r = TLSReader([0x80, 0x00, 0x00, 0x3F]); _ = try r.readVarint() }
        #expect(throws: MLSCodecError.invalidLengthPrefix) { var r = TLSReader([0xC0, 0, 0, 0, 0, 0, 0, 1]); _ = try r.readVarint() }
    }

    @Test func overLongAndTruncatedVectorsAreRefused() {
        // A 2^30 - 1 byte vector is longer than any MLS structure DAVE carries.
        #expect(throws: MLSCodecError.lengthTooLong(0x3FFF_FFFF)) { var r = TLSReader([0xBF, 0xFF, 0xFF, 0xFF]); _ = try r.readOpaque() }
        #expect(throws: MLSCodecError.truncated) { var r = TLSReader([0x05, 1, 2]); _ = try r.readOpaque() }
        #expect(throws: MLSCodecError.truncated) { var r = TLSReader([0x00, 0x01]); _ = try r.readUInt32() }
        // A vector whose body ends inside an item.
        #expect(throws: MLSCodecError.truncated) { var r = TLSReader([0x03, 0, 0, 0]); _ = try r.readUInt16Vector() }
    }

    @Test func trailingBytesAndUnknownValuesAreRefused() throws {
        #expect(throws: MLSCodecError.trailingBytes(1)) { _ = try Sender(decoding: [3, 0]) }
        #expect(throws: MLSCodecError.unknownValue("SenderType", 9)) { _ = try Sender(decoding: [9]) }
        #expect(throws: MLSCodecError.unknownValue("ProposalType", 8)) { _ = try Proposal(decoding: [0, 8]) }
        #expect(throws: MLSCodecError.unknownValue("CredentialType", 3)) { _ = try Credential(decoding: [0, 3, 0]) }
        #expect(throws: MLSCodecError.unknownValue("optional presence", 2)) { _ = try Commit(decoding: [0, 2]) }
        #expect(throws: MLSCodecError.unknownValue("ProtocolVersion", 2)) { _ = try MLSMessage(decoding: [0, 2, 0, 1]) }
        #expect(throws: MLSCodecError.unknownValue("WireFormat", 6)) { _ = try MLSMessage(decoding: [0, 1, 0, 6]) }
        // A valid structure followed by one more byte.
        let entry = try Vectors.load("messages")[0]
        let keyPackage = try entry.bytes("mls_key_package")
        #expect(throws: MLSCodecError.trailingBytes(1)) { _ = try MLSMessage(decoding: keyPackage + [0]) }
        #expect(throws: MLSCodecError.truncated) { _ = try MLSMessage(decoding: Array(keyPackage.dropLast())) }
    }
}
