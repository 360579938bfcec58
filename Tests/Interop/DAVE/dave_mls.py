"""The few MLS (RFC 9420) structures the test voice gateway writes and reads, written from the
RFC for these tests: external Add/Remove proposals signed by the gateway, proposal references,
and enough of a commit to find where it ends (op 28 puts the Welcome right after it) and which
proposals it references. Signatures: ECDSA P-256 with SHA-256 (cipher suite 2), from the
`cryptography` package."""

import hashlib
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

MLS_10 = 1
WIRE_PUBLIC_MESSAGE = 1
SENDER_MEMBER, SENDER_EXTERNAL = 1, 2
CONTENT_PROPOSAL, CONTENT_COMMIT = 2, 3
PROPOSAL_ADD, PROPOSAL_REMOVE = 1, 3


def varint(n):
    """RFC 9420 §2.1.2: QUIC-style variable-length integer for vector lengths."""
    if n < 1 << 6:
        return bytes([n])
    if n < 1 << 14:
        return struct.pack(">H", 0x4000 | n)
    if n < 1 << 30:
        return struct.pack(">I", 0x80000000 | n)
    raise ValueError("vector too long")


def opaque(data):
    return varint(len(data)) + bytes(data)


class Reader:
    def __init__(self, data, position=0, end=None):
        self.data = bytes(data)
        self.position = position
        self.end = len(self.data) if end is None else end

    def take(self, count):
        if self.position + count > self.end:
            raise ValueError("truncated MLS structure")
        chunk = self.data[self.position:self.position + count]
        self.position += count
        return chunk

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def varint(self):
        first = self.u8()
        prefix = first >> 6
        if prefix == 0:
            return first
        if prefix == 1:
            return (first & 0x3F) << 8 | self.u8()
        if prefix == 2:
            return (first & 0x3F) << 24 | int.from_bytes(self.take(3), "big")
        raise ValueError("invalid varint prefix")

    def opaque(self):
        return self.take(self.varint())

    def at_end(self):
        return self.position == self.end


class ExternalSender:
    """The voice gateway's signing identity: a P-256 key and a basic credential (empty identity)."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.public_key = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)

    def package(self):
        """Op 25's payload: ExternalSender { signature_key<V>; Credential { u16 basic = 1; identity<V> } }."""
        return opaque(self.public_key) + struct.pack(">H", 1) + opaque(b"")

    def sign_with_label(self, label, content):
        sign_content = opaque(b"MLS 1.0 " + label) + opaque(content)
        return self.private_key.sign(sign_content, ec.ECDSA(hashes.SHA256()))

    def proposal(self, group_id, epoch, proposal_body):
        """An external proposal as a PublicMessage MLSMessage, and its ProposalRef."""
        content = (opaque(group_id) + struct.pack(">QBI", epoch, SENDER_EXTERNAL, 0) + opaque(b"")
                   + bytes([CONTENT_PROPOSAL]) + proposal_body)
        tbs = struct.pack(">HH", MLS_10, WIRE_PUBLIC_MESSAGE) + content  # no group context for external senders
        auth = opaque(self.sign_with_label(b"FramedContentTBS", tbs))
        message = struct.pack(">HH", MLS_10, WIRE_PUBLIC_MESSAGE) + content + auth
        authenticated_content = struct.pack(">H", WIRE_PUBLIC_MESSAGE) + content + auth
        return message, ref_hash(b"MLS 1.0 Proposal Reference", authenticated_content)

    def add(self, group_id, epoch, key_package):
        return self.proposal(group_id, epoch, struct.pack(">H", PROPOSAL_ADD) + key_package)

    def remove(self, group_id, epoch, leaf_index):
        return self.proposal(group_id, epoch, struct.pack(">HI", PROPOSAL_REMOVE, leaf_index))


def ref_hash(label, value):
    return hashlib.sha256(opaque(label) + opaque(value)).digest()


def proposals_vector(messages):
    """Op 27's `MLSMessage proposal_messages<V>`."""
    return opaque(b"".join(messages))


def refs_vector(refs):
    return opaque(b"".join(opaque(ref) for ref in refs))


def skip_leaf_node(reader):
    reader.opaque()  # encryption_key
    reader.opaque()  # signature_key
    if reader.u16() != 1:
        raise ValueError("credential is not basic")
    reader.opaque()  # identity
    for _ in range(5):  # capabilities: versions, cipher_suites, extensions, proposals, credentials
        reader.opaque()
    source = reader.u8()
    if source == 1:
        reader.u64(), reader.u64()  # lifetime
    elif source == 3:
        reader.opaque()  # parent_hash
    elif source != 2:
        raise ValueError("leaf node source %d" % source)
    reader.opaque()  # extensions
    reader.opaque()  # signature


def split_commit(data):
    """Op 28's payload: the commit MLSMessage, then an optional Welcome. Returns the commit's
    bytes, the ProposalRefs it lists (None if any proposal is inline), its epoch, and the rest."""
    reader = Reader(data)
    if reader.u16() != MLS_10 or reader.u16() != WIRE_PUBLIC_MESSAGE:
        raise ValueError("commit is not a PublicMessage")
    reader.opaque()  # group_id
    epoch = reader.u64()
    sender_type = reader.u8()
    if sender_type in (SENDER_MEMBER, SENDER_EXTERNAL):
        reader.u32()
    reader.opaque()  # authenticated_data
    if reader.u8() != CONTENT_COMMIT:
        raise ValueError("not a commit")
    proposals = Reader(reader.opaque())
    refs = []
    while not proposals.at_end():
        if proposals.u8() != 2:
            refs = None
            break
        refs.append(proposals.opaque())
    if reader.u8() == 1:  # optional UpdatePath
        skip_leaf_node(reader)
        reader.opaque()  # nodes
    reader.opaque()  # signature
    reader.opaque()  # confirmation_tag
    if sender_type == SENDER_MEMBER:
        reader.opaque()  # membership_tag
    end = reader.position
    return data[:end], refs, epoch, data[end:]


def user_id_of_key_package(key_package):
    """The basic credential identity of a KeyPackage's leaf: the user id, 8 bytes big-endian."""
    reader = Reader(key_package)
    reader.u16(), reader.u16()  # version, cipher_suite
    reader.opaque()  # init_key
    reader.opaque(), reader.opaque()  # encryption_key, signature_key
    if reader.u16() != 1:
        raise ValueError("credential is not basic")
    identity = reader.opaque()
    return int.from_bytes(identity, "big")
