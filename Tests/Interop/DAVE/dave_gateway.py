"""A voice gateway for DAVE tests: the external sender, the members' leaf indices (tracked as
RFC 9420 fills and blanks leaves), proposals, the winning commit, Welcomes and transitions. It
drives members of any implementation through dave_members' common interface."""

from dave_members import KINDS
from dave_mls import ExternalSender, proposals_vector, refs_vector, split_commit, user_id_of_key_package

CHANNEL_ID = 1234


class Gateway:
    def __init__(self):
        self.sender = ExternalSender()
        self.group_id = CHANNEL_ID.to_bytes(8, "big")
        self.members = {}      # connected users: user id -> member
        self.leaves = []       # the established group's leaves: user id or None (blank)
        self.epoch = 0         # 0 while no group is established
        self.key_packages = {}  # user id -> key package not yet in the group
        self.commits = {}      # user id -> (commit, welcome) of the current round
        self.ready = {}        # user id -> transition ids reported ready
        self.invalid = {}      # user id -> transition ids reported invalid (op 31)
        self.next_transition = 1
        self.removed = []      # members that left, kept to check they cannot decrypt later epochs

    def close(self):
        for member in list(self.members.values()) + self.removed:
            member.close()

    def kind(self, user):
        return self.members[user].kind

    # Members coming and going (ops 4, 11, 13, 25).

    def connect(self, kind, user):
        member = KINDS[kind](user, CHANNEL_ID)
        others = list(self.members)
        for other in self.members.values():
            other.connected(user)
        self.members[user] = member
        self.collect(user, member.start(others))
        self.send(user, ("external_sender", self.sender.package()))
        return member

    def disconnect(self, user):
        member = self.members.pop(user)
        self.key_packages.pop(user, None)
        for other in self.members.values():
            other.disconnected(user)
        self.removed.append(member)
        return member

    def send(self, user, message):
        self.collect(user, self.members[user].handle(message))

    def collect(self, user, messages):
        for message in messages:
            kind = message[0]
            if kind == "key_package":
                assert user_id_of_key_package(message[1]) == user, "key package of another user"
                self.key_packages[user] = message[1]
            elif kind == "commit_welcome":
                self.commits[user] = (message[1], message[2])
            elif kind == "ready":
                self.ready.setdefault(user, []).append(message[1])
            elif kind == "invalid":
                self.invalid.setdefault(user, []).append(message[1])

    # Group rounds (ops 27, 28, 29, 30, 23, 22).

    def group_members(self):
        return [user for user in self.leaves if user is not None]

    def round(self, removing=(), winner=None, tamper_for=()):
        """Proposes removing `removing` and adding everyone connected with a key package outside
        the group (a member with a fresh one is removed and re-added); every recipient commits;
        `winner`'s commit (default: the first received) is announced, the Welcome sent to the
        added, and the transition executed once everyone is ready. Members in `tamper_for` get a
        corrupted copy of the winning commit instead. Returns the transition id."""
        established = self.epoch > 0
        adds = [u for u in sorted(self.key_packages) if u in self.members and (u not in self.leaves or u in removing)]
        proposals = []  # (user, kind, message, ref)
        for user in removing:
            message, ref = self.sender.remove(self.group_id, self.epoch, self.leaves.index(user))
            proposals.append((user, "remove", message, ref))
        for user in adds:
            message, ref = self.sender.add(self.group_id, self.epoch, self.key_packages[user])
            proposals.append((user, "add", message, ref))
        assert proposals, "nothing to propose"
        recipients = [u for u in self.group_members() if u not in removing] if established else adds
        self.commits = {}
        sent_to = {}
        for user in recipients:
            # A pending member is not sent the Add of itself.
            own = [p for p in proposals if established or not (p[0] == user and p[1] == "add")]
            sent_to[user] = own
            if own:
                self.send(user, ("proposals", 0, proposals_vector([p[2] for p in own])))
        chosen = winner if winner is not None else next(u for u in recipients if u in self.commits)
        assert chosen in self.commits, f"{self.kind(chosen)} member {chosen} sent no commit"
        commit, welcome = self.commits[chosen]
        _, refs, commit_epoch, _ = split_commit(commit)
        assert commit_epoch == self.epoch, "commit for another epoch"
        by_ref = {p[3]: p for p in sent_to[chosen]}
        # The gateway's checks: references only, every proposal sent, nothing else.
        assert refs is not None and sorted(refs) == sorted(by_ref), "commit does not reference exactly the proposals"
        added = [by_ref[ref][0] for ref in refs if by_ref[ref][1] == "add"]
        if not established:
            self.leaves = [chosen]
        for user in removing:
            self.leaves[self.leaves.index(user)] = None
        while self.leaves and self.leaves[-1] is None:
            self.leaves.pop()
        for user in added:
            if None in self.leaves:
                self.leaves[self.leaves.index(None)] = user
            else:
                self.leaves.append(user)
            self.key_packages.pop(user, None)
        self.key_packages.pop(chosen, None)
        if added:
            assert welcome is not None, "a commit that adds members came without a Welcome"
        transition = self.next_transition
        self.next_transition += 1
        self.epoch += 1
        for user in sorted(self.members):
            if user in added:
                continue
            announced = commit
            if user in tamper_for:
                announced = commit[:-1] + bytes([commit[-1] ^ 1])
            self.send(user, ("announce", transition, announced))
        for user in added:
            self.send(user, ("welcome", transition, welcome))
        for user in self.group_members():
            if user in tamper_for:
                continue
            assert transition in self.ready.get(user, []), f"{self.kind(user)} member {user} not ready for {transition}"
        for user in self.group_members():
            self.send(user, ("execute", transition))
        return transition

    def revoke_then_round(self, user):
        """Proposes adding `user`, revokes that proposal (op 27 revoke), then runs a round."""
        message, ref = self.sender.add(self.group_id, self.epoch, self.key_packages[user])
        for member in self.group_members():
            self.send(member, ("proposals", 0, proposals_vector([message])))
        for member in self.group_members():
            self.send(member, ("proposals", 1, refs_vector([ref])))

    # Transitions without a commit (ops 21, 22, 24).

    def downgrade(self):
        transition = self.next_transition
        self.next_transition += 1
        for user in self.group_members():
            self.send(user, ("prepare_transition", transition, 0))
        for user in self.group_members():
            assert transition in self.ready.get(user, []), f"{self.kind(user)} member {user} not ready for the downgrade"
        for user in self.group_members():
            self.send(user, ("execute", transition))

    def new_group(self, version=1):
        """Op 24 with epoch 1 to everyone connected: the group is re-created from key packages."""
        users = sorted(self.members)
        self.leaves, self.epoch = [], 0
        for user in users:
            self.send(user, ("prepare_epoch", 1, version))
        for user in users:
            self.send(user, ("external_sender", self.sender.package()))

    def sole_member_reset(self, user):
        self.leaves, self.epoch = [], 0
        self.send(user, ("prepare_epoch", 1, 1))
        self.send(user, ("prepare_transition", 0, 1))

    # Checks.

    def check_media(self, label, encrypted=True):
        """Every group member's frame opens at every other member; privacy codes agree."""
        users = self.group_members()
        for sender in users:
            opus = bytes((sender * 31 + 7 * i) & 0xFF for i in range(120))
            frame = self.members[sender].encrypt(opus)
            if encrypted:
                assert frame != opus and frame[-2:] == b"\xfa\xfa", f"{label}: {self.kind(sender)} {sender} did not encrypt"
            else:
                assert frame == opus, f"{label}: {self.kind(sender)} {sender} did not pass the frame through"
            for receiver in users:
                if receiver != sender:
                    opened = self.members[receiver].decrypt(sender, frame)
                    assert opened == opus, f"{label}: {self.kind(receiver)} {receiver} cannot decrypt {self.kind(sender)} {sender}"
        if encrypted:
            codes = {user: self.members[user].privacy_code() for user in users}
            assert None not in codes.values() and len(set(codes.values())) == 1, f"{label}: privacy codes differ: {codes}"

    def check_cannot_decrypt(self, outsider, label):
        for sender in self.group_members():
            opus = bytes(range(100))
            frame = self.members[sender].encrypt(opus)
            assert outsider.decrypt(sender, frame) != opus, f"{label}: removed {outsider.kind} decrypts {self.kind(sender)}"
