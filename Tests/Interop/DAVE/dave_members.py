"""The members of a test call, each behind one interface the gateway drives: `handle(message)`
takes a server message and returns the client messages it answers with; `encrypt`, `decrypt`
and `privacy_code` check media and agreement. Server messages are tuples:

    ("external_sender", package)            op 25
    ("proposals", operation, vector)        op 27 (0 append: MLSMessages; 1 revoke: refs)
    ("announce", transition_id, commit)     op 29
    ("welcome", transition_id, welcome)     op 30
    ("prepare_transition", id, version)     op 21
    ("execute", transition_id)              op 22
    ("prepare_epoch", epoch, version)       op 24

and client messages ("key_package", kp), ("commit_welcome", commit, welcome or None),
("ready", transition_id), ("invalid", transition_id).

BotHostMember is this project's DAVESession in a child process (Tests/DAVEInterop/Member); the
others are the independent implementations, davey (OpenMLS) and dave.py (libdave on mlspp),
with the small amount of session management their libraries leave to the application."""

import json
import os
import struct
import subprocess
from pathlib import Path

import dave
import davey

from dave_mls import split_commit

REPO = Path(__file__).resolve().parents[3]
PROTOCOL_VERSION = 1


def member_binary():
    path = Path(os.environ.get("DAVE_MEMBER_BIN", REPO / ".build" / "debug" / "DAVEInteropMember"))
    if not path.is_file():
        raise RuntimeError(f"{path} does not exist: build it first (swift build --build-tests)")
    return path


class BotHostMember:
    kind = "bothost"

    def __init__(self, user_id, channel_id):
        self.user_id = user_id
        self.process = subprocess.Popen([str(member_binary())], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.sequence = 0
        self.command(f"session {user_id} {channel_id}")

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)

    def command(self, line):
        """Sends one command; returns the lines before its "ok" (raises on "error")."""
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        lines = []
        while True:
            answer = self.process.stdout.readline()
            if not answer:
                raise RuntimeError(f"the BotHost member exited (status {self.process.wait()}) after: {line[:80]}")
            answer = answer.rstrip("\n")
            if answer == "ok":
                return lines
            if answer.startswith("error "):
                raise RuntimeError(f"BotHost member refused {line[:60]}...: {answer[6:]}")
            lines.append(answer)

    def client_messages(self, lines):
        messages = []
        for line in lines:
            kind, _, rest = line.partition(" ")
            if kind == "send-binary":
                frame = bytes.fromhex(rest)
                if frame[0] == 26:
                    messages.append(("key_package", frame[1:]))
                elif frame[0] == 28:
                    commit, _, _, welcome = split_commit(frame[1:])
                    messages.append(("commit_welcome", commit, welcome or None))
                else:
                    raise AssertionError(f"unexpected client binary op {frame[0]}")
            elif kind == "send-json":
                op, _, data = rest.partition(" ")
                fields = json.loads(bytes.fromhex(data))
                messages.append(({23: "ready", 31: "invalid"}[int(op)], fields["transition_id"]))
        return messages

    def start(self, others):
        if others:
            self.command("connect " + " ".join(str(u) for u in others))
        return self.client_messages(self.command(f"start {PROTOCOL_VERSION}"))

    def connected(self, user_id):
        self.command(f"connect {user_id}")

    def disconnected(self, user_id):
        self.command(f"disconnect {user_id}")

    def binary(self, opcode, payload):
        self.sequence = (self.sequence + 1) & 0xFFFF
        return self.client_messages(self.command("binary " + (struct.pack(">HB", self.sequence, opcode) + payload).hex()))

    def json(self, opcode, fields):
        return self.client_messages(self.command(f"json {opcode} " + json.dumps(fields).encode().hex()))

    def handle(self, message):
        kind = message[0]
        if kind == "external_sender":
            return self.binary(25, message[1])
        if kind == "proposals":
            return self.binary(27, bytes([message[1]]) + message[2])
        if kind == "announce":
            return self.binary(29, struct.pack(">H", message[1]) + message[2])
        if kind == "welcome":
            return self.binary(30, struct.pack(">H", message[1]) + message[2])
        if kind == "prepare_transition":
            return self.json(21, {"transition_id": message[1], "protocol_version": message[2]})
        if kind == "execute":
            return self.json(22, {"transition_id": message[1]})
        if kind == "prepare_epoch":
            return self.json(24, {"epoch": message[1], "protocol_version": message[2]})
        raise AssertionError(kind)

    def encrypt(self, frame):
        (line,) = self.command("encrypt " + frame.hex())
        return bytes.fromhex(line.split(" ", 1)[1])

    def decrypt(self, sender, frame, video=False):
        (line,) = self.command(f"decrypt{'-video' if video else ''} {sender} {frame.hex()}")
        kind, _, rest = line.partition(" ")
        return bytes.fromhex(rest) if kind == "plain" else None

    def status(self):
        (line,) = self.command("status")
        _, epoch, version, code = line.split(" ")
        return (None if epoch == "-" else int(epoch)), int(version), (None if code == "-" else code)

    def privacy_code(self):
        return self.status()[2]

    def advance(self, milliseconds):
        self.command(f"advance {milliseconds}")


class LibraryMember:
    """What the members played by an independent library share: the roster of the others in the
    call, and a fresh key package to start or to recover with. `key_package()` is the library's."""

    def close(self):
        pass

    def start(self, others):
        self.others = set(others)
        return [("key_package", self.key_package())]

    def connected(self, user_id):
        self.others.add(user_id)

    def disconnected(self, user_id):
        self.others.discard(user_id)


class DaveyMember(LibraryMember):
    """davey 0.1.7: its DaveSession keeps the group and the media keys; it switches its sending
    key when it processes a commit or Welcome (it has no transition API)."""
    kind = "davey"

    def __init__(self, user_id, channel_id):
        self.user_id, self.channel_id = user_id, channel_id
        self.session = davey.DaveSession(PROTOCOL_VERSION, user_id, channel_id)
        self.others = set()
        self.transitions = {}
        self.sending_plain = False

    def key_package(self):
        return self.session.get_serialized_key_package()

    def recover(self, transition_id):
        self.session.reset()
        return [("invalid", transition_id), ("key_package", self.key_package())]

    def ready(self, transition_id):
        return [] if transition_id == 0 else [("ready", transition_id)]

    def entered(self, transition_id):
        self.sending_plain = False  # in a group again: davey encrypts at once
        return self.ready(transition_id)

    def handle(self, message):
        kind = message[0]
        if kind == "external_sender":
            self.session.set_external_sender(message[1])
            return []
        if kind == "proposals":
            operation = davey.ProposalsOperationType.append if message[1] == 0 else davey.ProposalsOperationType.revoke
            result = self.session.process_proposals(operation, message[2], sorted(self.others))
            if result is None:
                return []
            return [("commit_welcome", bytes(result.commit), bytes(result.welcome) if result.welcome else None)]
        if kind == "announce":
            try:
                self.session.process_commit(message[2])
            except Exception:
                if self.session.epoch is None or self.session.epoch == 0:
                    return []  # not in the group yet: our Welcome follows
                return self.recover(message[1])
            return self.entered(message[1])
        if kind == "welcome":
            try:
                self.session.process_welcome(message[2])
            except Exception:
                return self.recover(message[1])
            return self.entered(message[1])
        if kind == "prepare_transition":
            self.transitions[message[1]] = message[2]
            if message[2] == 0:
                self.session.set_passthrough_mode(True)
            return self.ready(message[1])
        if kind == "execute":
            if self.transitions.pop(message[1], None) == 0:
                # davey leaves protocol version 0 to the application: frames go out as they are.
                self.sending_plain = True
            return []
        if kind == "prepare_epoch":
            if message[1] == 1:
                self.session.reinit(message[2], self.user_id, self.channel_id)
                return [("key_package", self.key_package())]
            return []
        raise AssertionError(kind)

    def encrypt(self, frame):
        if self.sending_plain:
            return frame
        return bytes(self.session.encrypt_opus(frame))

    def decrypt(self, sender, frame):
        try:
            return bytes(self.session.decrypt(sender, davey.MediaType.audio, frame))
        except Exception:
            return None

    def privacy_code(self):
        code = self.session.voice_privacy_code
        return code.replace(" ", "") if code else None


class LibdaveMember(LibraryMember):
    """dave.py 1.1.0 (libdave): its Session keeps the group; the application (here) moves each
    sender's key ratchet into the decryptors when a commit or Welcome is processed, and ours into
    the encryptor when the transition executes, as Discord's clients do."""
    kind = "libdave"

    def __init__(self, user_id, channel_id):
        self.user_id, self.channel_id = user_id, channel_id
        self.failures = []
        self.session = dave.Session(lambda source, reason: self.failures.append((source, reason)))
        # One signing key for the whole call, kept across resets, as Discord's clients keep theirs:
        # after op 31 the gateway removes and re-adds the member with the same signature key.
        self.signing_key = dave.SignatureKeyPair.generate(PROTOCOL_VERSION)
        self.session.init(PROTOCOL_VERSION, channel_id, str(user_id), self.signing_key)
        self.encryptor = dave.Encryptor()
        self.encryptor.assign_ssrc_to_codec(1, dave.Codec.opus)
        self.encryptor.assign_ssrc_to_codec(2, dave.Codec.vp8)
        self.encryptor.set_passthrough_mode(True)
        self.decryptors = {}
        self.others = set()
        self.roster = set()
        self.pending_ratchet = None
        self.transitions = {}

    def key_package(self):
        return self.session.get_marshalled_key_package()

    def decryptor(self, user_id):
        if user_id not in self.decryptors:
            self.decryptors[user_id] = dave.Decryptor()
            self.decryptors[user_id].transition_to_passthrough_mode(True)
        return self.decryptors[user_id]

    def recognized(self):
        return {str(u) for u in self.others | {self.user_id}}

    def recover(self, transition_id):
        self.session.reset()
        self.session.init(PROTOCOL_VERSION, self.channel_id, str(self.user_id), self.signing_key)
        return [("invalid", transition_id), ("key_package", self.key_package())]

    def entered(self, changes, transition_id):
        """A commit or Welcome was processed: new receive keys now, our sending key at execution.
        libdave reports the roster's changes since the last group it had (its roster survives
        resets), so the full roster is kept here."""
        for user, key in changes.items():
            if key:
                self.roster.add(int(user))
            else:
                self.roster.discard(int(user))
        for user in self.roster - {self.user_id}:
            self.decryptor(user).transition_to_key_ratchet(self.session.get_key_ratchet(str(user)))
            self.decryptor(user).transition_to_passthrough_mode(False)
        self.pending_ratchet = self.session.get_key_ratchet(str(self.user_id))
        self.transitions[transition_id] = PROTOCOL_VERSION
        if transition_id == 0:
            return self.handle(("execute", 0))
        return [("ready", transition_id)]

    def handle(self, message):
        kind = message[0]
        if kind == "external_sender":
            self.session.set_external_sender(message[1])
            return []
        if kind == "proposals":
            out = self.session.process_proposals(bytes([message[1]]) + message[2], self.recognized())
            if not out:
                return []
            commit, _, _, welcome = split_commit(out)
            return [("commit_welcome", commit, welcome or None)]
        if kind == "announce":
            result = self.session.process_commit(message[2])
            if isinstance(result, dict):
                return self.entered(result, message[1])
            if result == dave.RejectType.ignored or not self.session.has_established_group():
                return []
            return self.recover(message[1])
        if kind == "welcome":
            result = self.session.process_welcome(message[2], self.recognized())
            if result is None:
                return self.recover(message[1])
            return self.entered(result, message[1])
        if kind == "prepare_transition":
            self.transitions[message[1]] = message[2]
            if message[2] == 0:
                for decryptor in self.decryptors.values():
                    decryptor.transition_to_passthrough_mode(True)
            if message[1] == 0:
                return self.handle(("execute", 0))
            return [("ready", message[1])]
        if kind == "execute":
            version = self.transitions.pop(message[1], None)
            if version == 0:
                self.encryptor.set_passthrough_mode(True)
            elif version is not None and self.pending_ratchet is not None:
                self.encryptor.set_key_ratchet(self.pending_ratchet)  # moved into the encryptor
                self.pending_ratchet = None
                self.encryptor.set_passthrough_mode(False)
            return []
        if kind == "prepare_epoch":
            if message[1] == 1:
                self.session.reset()
                self.session.init(message[2], self.channel_id, str(self.user_id), self.signing_key)
                return [("key_package", self.key_package())]
            return []
        raise AssertionError(kind)

    def encrypt(self, frame):
        out = self.encryptor.encrypt(dave.MediaType.audio, 1, frame)
        if out is None:
            raise RuntimeError("libdave refused to encrypt")
        return bytes(out)

    def encrypt_vp8(self, frame):
        """A VP8 frame: libdave leaves its header unencrypted (10 bytes for a key frame)."""
        out = self.encryptor.encrypt(dave.MediaType.video, 2, frame)
        if out is None:
            raise RuntimeError("libdave refused to encrypt")
        return bytes(out)

    def decrypt(self, sender, frame):
        out = self.decryptor(sender).decrypt(dave.MediaType.audio, frame)
        return None if out is None else bytes(out)

    def privacy_code(self):
        authenticator = self.session.get_last_epoch_authenticator()
        return dave.generate_displayable_code(authenticator, 30, 5) if authenticator else None


KINDS = {"bothost": BotHostMember, "davey": DaveyMember, "libdave": LibdaveMember}
