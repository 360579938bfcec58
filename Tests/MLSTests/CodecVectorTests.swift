@testable import MLS
import Testing

/// tree-math, crypto-basics, deserialization and messages vectors.
@Suite struct CodecVectorTests {
    @Test func treeMath() throws {
        let entries = try Vectors.load("tree-math")
        var passed = 0
        for entry in entries {
            let leaves = try entry.int("n_leaves")
            #expect(TreeMath.nodeWidth(leafCount: leaves) == (try entry.int("n_nodes")))
            #expect(TreeMath.root(leafCount: leaves) == (try entry.int("root")))
            let root = TreeMath.root(leafCount: leaves)
            let lefts = entry["left"] as? [Any] ?? []
            let rights = entry["right"] as? [Any] ?? []
            let parents = entry["parent"] as? [Any] ?? []
            let siblings = entry["sibling"] as? [Any] ?? []
            var ok = true
            for node in 0..<TreeMath.nodeWidth(leafCount: leaves) {
                let isLeaf = TreeMath.isLeaf(node)
                ok = ok && (lefts[node] as? Int) == (isLeaf ? nil : TreeMath.left(node))
                ok = ok && (rights[node] as? Int) == (isLeaf ? nil : TreeMath.right(node))
                ok = ok && (parents[node] as? Int) == (node == root ? nil : TreeMath.parent(node, leafCount: leaves))
                ok = ok && (siblings[node] as? Int) == (node == root ? nil : TreeMath.sibling(node, leafCount: leaves))
            }
            #expect(ok, "tree math for \(leaves) leaves")
            if ok { passed += 1 }
        }
        Vectors.report("tree-math", passed: passed, total: entries.count)
        #expect(passed == entries.count)
    }

    @Test func cryptoBasics() throws {
        let entries = try Vectors.load("crypto-basics")
        var passed = 0
        for entry in entries {
            let refHash = try entry.object("ref_hash")
            #expect(suite2.refHash(label: try refHash.string("label"), value: try refHash.bytes("value")) == (try refHash.bytes("out")))

            let expand = try entry.object("expand_with_label")
            #expect(suite2.expandWithLabel(secret: try expand.bytes("secret"), label: try expand.string("label"),
                                           context: try expand.bytes("context"), length: try expand.int("length")) == (try expand.bytes("out")))

            let derive = try entry.object("derive_secret")
            #expect(suite2.deriveSecret(secret: try derive.bytes("secret"), label: try derive.string("label")) == (try derive.bytes("out")))

            let tree = try entry.object("derive_tree_secret")
            #expect(suite2.deriveTreeSecret(secret: try tree.bytes("secret"), label: try tree.string("label"),
                                            generation: UInt32(try tree.uint64("generation")), length: try tree.int("length")) == (try tree.bytes("out")))

            let sign = try entry.object("sign_with_label")
            let label = try sign.string("label")
            let content = try sign.bytes("content")
            #expect(suite2.verifyWithLabel(publicKey: try sign.bytes("pub"), label: label, content: content, signature: try sign.bytes("signature")))
            let ours = try suite2.signWithLabel(privateKey: try sign.bytes("priv"), label: label, content: content)
            #expect(suite2.verifyWithLabel(publicKey: try sign.bytes("pub"), label: label, content: content, signature: ours))
            #expect(!suite2.verifyWithLabel(publicKey: try sign.bytes("pub"), label: label + "x", content: content, signature: ours))

            let encrypt = try entry.object("encrypt_with_label")
            let ciphertext = HPKECiphertext(kemOutput: try encrypt.bytes("kem_output"), ciphertext: try encrypt.bytes("ciphertext"))
            let opened = try suite2.decryptWithLabel(privateKey: try encrypt.bytes("priv"), label: try encrypt.string("label"),
                                                     context: try encrypt.bytes("context"), ciphertext: ciphertext)
            #expect(opened == (try encrypt.bytes("plaintext")))
            let sealed = try suite2.encryptWithLabel(publicKey: try encrypt.bytes("pub"), label: try encrypt.string("label"),
                                                     context: try encrypt.bytes("context"), plaintext: try encrypt.bytes("plaintext"))
            #expect(try suite2.decryptWithLabel(privateKey: try encrypt.bytes("priv"), label: try encrypt.string("label"),
                                                context: try encrypt.bytes("context"), ciphertext: sealed) == (try encrypt.bytes("plaintext")))
            passed += 1
        }
        Vectors.report("crypto-basics", passed: passed, total: entries.count)
    }

    @Test func deserialization() throws {
        let entries = try Vectors.load("deserialization")
        var passed = 0
        for entry in entries {
            let header = try entry.bytes("vlbytes_header")
            let length = try entry.int("length")
            var writer = TLSWriter()
            writer.writeVarint(length)
            var reader = TLSReader(header)
            let decoded = try reader.readVarint()
            if writer.bytes == header && decoded == length && reader.isAtEnd { passed += 1 }
        }
        Vectors.report("deserialization", passed: passed, total: entries.count)
        #expect(passed == entries.count)
    }

    /// Each field decodes as its structure and encodes back to the same bytes.
    @Test func messages() throws {
        let entries = try Vectors.load("messages")
        var passed = 0
        func roundTrip<T: MLSCodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> Bool {
            try T(decoding: bytes).encoded == bytes
        }
        for (index, entry) in entries.enumerated() {
            var ok = true
            for key in ["mls_welcome", "mls_group_info", "mls_key_package", "public_message_application",
                        "public_message_proposal", "public_message_commit", "private_message"] {
                let matched = try roundTrip(MLSMessage.self, try entry.bytes(key))
                #expect(matched, "entry \(index) \(key)")
                ok = ok && matched
            }
            let tree = try entry.bytes("ratchet_tree")
            let checks: [(String, Bool)] = [
                ("ratchet_tree", try RatchetTree(decoding: tree).encoded == tree),
                ("group_secrets", try roundTrip(GroupSecrets.self, try entry.bytes("group_secrets"))),
                ("add_proposal", try roundTrip(KeyPackage.self, try entry.bytes("add_proposal"))),
                ("update_proposal", try roundTrip(LeafNode.self, try entry.bytes("update_proposal"))),
                ("pre_shared_key_proposal", try roundTrip(PreSharedKeyID.self, try entry.bytes("pre_shared_key_proposal"))),
                ("re_init_proposal", try roundTrip(ReInit.self, try entry.bytes("re_init_proposal"))),
                ("commit", try roundTrip(Commit.self, try entry.bytes("commit"))),
            ]
            for (key, matched) in checks {
                #expect(matched, "entry \(index) \(key)")
                ok = ok && matched
            }
            var remove = TLSReader(try entry.bytes("remove_proposal"))
            _ = try remove.readUInt32()
            try remove.requireEnd()
            var externalInit = TLSReader(try entry.bytes("external_init_proposal"))
            _ = try externalInit.readOpaque()
            try externalInit.requireEnd()
            var extensions = TLSReader(try entry.bytes("group_context_extensions_proposal"))
            _ = try extensions.readVector(Extension.self)
            try extensions.requireEnd()
            if ok { passed += 1 }
        }
        Vectors.report("messages", passed: passed, total: entries.count)
        #expect(passed == entries.count)
    }
}
