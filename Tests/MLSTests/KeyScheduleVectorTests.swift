@testable import MLS
import Testing

/// key-schedule and transcript-hashes vectors.
@Suite struct KeyScheduleVectorTests {
    @Test func keySchedule() throws {
        let entries = try Vectors.load("key-schedule")
        var passedEpochs = 0
        var totalEpochs = 0
        var passed = 0
        for entry in entries {
            let groupID = try entry.bytes("group_id")
            var initSecret = try entry.bytes("initial_init_secret")
            var entryOK = true
            for (index, epoch) in try entry.objects("epochs").enumerated() {
                totalEpochs += 1
                let context = GroupContext(cipherSuite: suite2.id, groupID: groupID, epoch: UInt64(index),
                                           treeHash: try epoch.bytes("tree_hash"),
                                           confirmedTranscriptHash: try epoch.bytes("confirmed_transcript_hash"), extensions: [])
                let secrets = EpochSecrets(suite: suite2, previousInitSecret: initSecret, commitSecret: try epoch.bytes("commit_secret"),
                                           pskSecret: try epoch.bytes("psk_secret"), groupContext: context)
                let exporter = try epoch.object("exporter")
                let checks: [(String, Bool)] = [
                    ("group_context", context.encoded == (try epoch.bytes("group_context"))),
                    ("joiner_secret", secrets.joinerSecret == (try epoch.bytes("joiner_secret"))),
                    ("welcome_secret", secrets.welcomeSecret == (try epoch.bytes("welcome_secret"))),
                    ("init_secret", secrets.initSecret == (try epoch.bytes("init_secret"))),
                    ("sender_data_secret", secrets.senderDataSecret == (try epoch.bytes("sender_data_secret"))),
                    ("encryption_secret", secrets.encryptionSecret == (try epoch.bytes("encryption_secret"))),
                    ("exporter_secret", secrets.exporterSecret == (try epoch.bytes("exporter_secret"))),
                    ("epoch_authenticator", secrets.epochAuthenticator == (try epoch.bytes("epoch_authenticator"))),
                    ("external_secret", secrets.externalSecret == (try epoch.bytes("external_secret"))),
                    ("confirmation_key", secrets.confirmationKey == (try epoch.bytes("confirmation_key"))),
                    ("membership_key", secrets.membershipKey == (try epoch.bytes("membership_key"))),
                    ("resumption_psk", secrets.resumptionPSK == (try epoch.bytes("resumption_psk"))),
                    ("external_pub", try secrets.externalPublicKey(suite: suite2) == (try epoch.bytes("external_pub"))),
                    ("exporter", secrets.export(suite: suite2, label: try exporter.string("label"), context: try exporter.bytes("context"),
                                                length: try exporter.int("length")) == (try exporter.bytes("secret"))),
                ]
                for (name, ok) in checks { #expect(ok, "epoch \(index) \(name)") }
                if checks.allSatisfy(\.1) { passedEpochs += 1 } else { entryOK = false }
                initSecret = secrets.initSecret
            }
            if entryOK { passed += 1 }
        }
        print("MLS vectors key-schedule: \(passedEpochs)/\(totalEpochs) epochs")
        Vectors.report("key-schedule", passed: passed, total: entries.count)
        #expect(passed == entries.count)
    }

    @Test func transcriptHashes() throws {
        let entries = try Vectors.load("transcript-hashes")
        var passed = 0
        for entry in entries {
            let content = try AuthenticatedContent(decoding: try entry.bytes("authenticated_content"))
            let confirmed = TranscriptHash.confirmed(suite: suite2, interim: try entry.bytes("interim_transcript_hash_before"), content: content)
            let tag = suite2.mac(key: try entry.bytes("confirmation_key"), data: confirmed)
            let interim = TranscriptHash.interim(suite: suite2, confirmed: confirmed, confirmationTag: tag)
            let expectedConfirmed = try entry.bytes("confirmed_transcript_hash_after")
            let expectedInterim = try entry.bytes("interim_transcript_hash_after")
            let ok = confirmed == expectedConfirmed && content.auth.confirmationTag == tag && interim == expectedInterim
            #expect(ok)
            if ok { passed += 1 }
        }
        Vectors.report("transcript-hashes", passed: passed, total: entries.count)
        #expect(passed == entries.count)
    }
}
