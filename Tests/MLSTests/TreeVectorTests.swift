@testable import MLS
import Testing

/// tree-operations, tree-validation and treekem vectors.
@Suite struct TreeVectorTests {
    @Test func treeOperations() throws {
        let entries = try Vectors.load("tree-operations")
        var passed = 0
        for (index, entry) in entries.enumerated() {
            var tree = try RatchetTree(decoding: try entry.bytes("tree_before"))
            #expect(tree.treeHash(suite: suite2) == (try entry.bytes("tree_hash_before")), "entry \(index) hash before")
            let sender = UInt32(try entry.int("proposal_sender"))
            switch try Proposal(decoding: try entry.bytes("proposal")) {
            case .add(let keyPackage): tree.add(keyPackage.leafNode)
            case .remove(let removed): tree.remove(removed)
            case .update(let leafNode):
                tree.set(TreeMath.nodeIndex(leaf: sender), .leaf(leafNode))
                tree.blankDirectPath(sender)
            default: Issue.record("entry \(index): unexpected proposal type")
            }
            let expectedTree = try entry.bytes("tree_after")
            let expectedHash = try entry.bytes("tree_hash_after")
            let ok = tree.encoded == expectedTree && tree.treeHash(suite: suite2) == expectedHash
            #expect(ok, "entry \(index)")
            if ok { passed += 1 }
        }
        Vectors.report("tree-operations", passed: passed, total: entries.count)
        #expect(passed == entries.count)
    }

    @Test func treeValidation() throws {
        let entries = try Vectors.load("tree-validation")
        var passed = 0
        for (index, entry) in entries.enumerated() {
            let tree = try RatchetTree(decoding: try entry.bytes("tree"))
            let expectedResolutions = (entry["resolutions"] as? [[Int]]) ?? []
            let expectedHashes = ((entry["tree_hashes"] as? [String]) ?? []).compactMap(hexBytes)
            let resolutionsOK = (0..<tree.nodes.count).map { tree.resolution($0) } == expectedResolutions
            let hashesOK = tree.allTreeHashes(suite: suite2) == expectedHashes
            let context = GroupContext(cipherSuite: suite2.id, groupID: try entry.bytes("group_id"), epoch: 0,
                                       treeHash: tree.treeHash(suite: suite2), confirmedTranscriptHash: [], extensions: [])
            var validOK = true
            do { try tree.validate(suite: suite2, groupContext: context) } catch {
                validOK = false
                Issue.record("entry \(index): \(error)")
            }
            #expect(resolutionsOK, "entry \(index) resolutions")
            #expect(hashesOK, "entry \(index) tree hashes")
            if resolutionsOK && hashesOK && validOK { passed += 1 }
        }
        Vectors.report("tree-validation", passed: passed, total: entries.count)
        #expect(passed == entries.count)
    }

    @Test func treeKEM() throws {
        let entries = try Vectors.load("treekem")
        var passed = 0
        for (index, entry) in entries.enumerated() {
            let tree = try RatchetTree(decoding: try entry.bytes("ratchet_tree"))
            let groupID = try entry.bytes("group_id")
            let epoch = try entry.uint64("epoch")
            let confirmed = try entry.bytes("confirmed_transcript_hash")
            func context(_ treeHash: [UInt8]) -> GroupContext {
                GroupContext(cipherSuite: suite2.id, groupID: groupID, epoch: epoch, treeHash: treeHash,
                             confirmedTranscriptHash: confirmed, extensions: [])
            }
            var ok = true
            // Each member's private state: its leaf key and the keys of the path secrets it holds.
            var privateKeys: [UInt32: RatchetTree.PrivateKeys] = [:]
            var signatureKeys: [UInt32: [UInt8]] = [:]
            for leafPrivate in try entry.objects("leaves_private") {
                let leaf = UInt32(try leafPrivate.int("index"))
                let encryptionPrivate = try leafPrivate.bytes("encryption_priv")
                var keys: RatchetTree.PrivateKeys = [try suite2.hpkePublicKey(privateKey: encryptionPrivate): encryptionPrivate]
                let leafPublic = try suite2.hpkePublicKey(privateKey: encryptionPrivate)
                ok = ok && tree.leaf(leaf)?.encryptionKey == leafPublic
                for pathSecret in try leafPrivate.objects("path_secrets") {
                    let pair = try RatchetTree.nodeKeyPair(suite: suite2, pathSecret: try pathSecret.bytes("path_secret"))
                    let node = try pathSecret.int("node")
                    ok = ok && tree.nodes[node]?.encryptionKey == pair.publicKey
                    keys[pair.publicKey] = pair.privateKey
                }
                privateKeys[leaf] = keys
                signatureKeys[leaf] = try leafPrivate.bytes("signature_priv")
            }
            #expect(ok, "entry \(index): private state matches the tree")
            for (pathIndex, update) in try entry.objects("update_paths").enumerated() {
                let sender = UInt32(try update.int("sender"))
                let path = try UpdatePath(decoding: try update.bytes("update_path"))
                var merged = tree
                do {
                    try merged.mergeUpdatePath(suite: suite2, sender: sender, path: path)
                } catch {
                    Issue.record("entry \(index) path \(pathIndex): \(error)")
                    ok = false
                    continue
                }
                let expectedHashAfter = try update.bytes("tree_hash_after")
                let mergedOK = merged.treeHash(suite: suite2) == expectedHashAfter && merged.verifyParentHashes(suite: suite2)
                #expect(mergedOK, "entry \(index) path \(pathIndex) tree after")
                ok = ok && mergedOK
                let expectedSecrets = update["path_secrets"] as? [Any] ?? []
                let encryptionContext = context(merged.treeHash(suite: suite2))
                for (receiver, keys) in privateKeys where receiver != sender {
                    let result = try merged.decryptUpdatePath(suite: suite2, sender: sender, path: path, receiver: receiver, privateKeys: keys,
                                                              newLeaves: [], context: encryptionContext)
                    let expected = (expectedSecrets[Int(receiver)] as? String).flatMap(hexBytes)
                    let expectedCommitSecret = try update.bytes("commit_secret")
                    let receiverOK = result.pathSecret == expected && result.commitSecret == expectedCommitSecret
                    #expect(receiverOK, "entry \(index) path \(pathIndex) receiver \(receiver)")
                    ok = ok && receiverOK
                }
                // A fresh path from the same sender: every other member derives the same commit secret.
                guard let signatureKey = signatureKeys[sender] else { continue }
                var fresh = tree
                let created = try fresh.createUpdatePath(suite: suite2, leafIndex: sender, signaturePrivateKey: signatureKey, groupID: groupID,
                                                         newLeaves: [], context: context)
                #expect(fresh.verifyParentHashes(suite: suite2))
                var receiverView = tree
                try receiverView.mergeUpdatePath(suite: suite2, sender: sender, path: created.path)
                #expect(receiverView.treeHash(suite: suite2) == fresh.treeHash(suite: suite2))
                for (receiver, keys) in privateKeys where receiver != sender {
                    let result = try receiverView.decryptUpdatePath(suite: suite2, sender: sender, path: created.path, receiver: receiver,
                                                                    privateKeys: keys, newLeaves: [], context: context(fresh.treeHash(suite: suite2)))
                    #expect(result.commitSecret == created.commitSecret)
                    ok = ok && result.commitSecret == created.commitSecret
                }
            }
            if ok { passed += 1 }
        }
        Vectors.report("treekem", passed: passed, total: entries.count)
        #expect(passed == entries.count)
    }
}
