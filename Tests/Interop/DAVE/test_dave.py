"""DAVE interop: BotHost's implementation (DAVESession, in Tests/DAVEInterop/Member) in calls with
davey 0.1.7 (Rust, OpenMLS) and dave.py 1.1.0 (libdave, C++ on mlspp), with this directory's
gateway as the voice gateway and external sender. Every scenario runs twice: with BotHost's
commit winning each round, and with another implementation's winning. After every change every
member decrypts every other member's frames and all show the same voice privacy code."""

import pytest

from dave_gateway import Gateway

BOTHOST = 100  # BotHost's user id in every call
COMMITTERS = ["bothost", "others"]


@pytest.fixture
def gateway():
    gateway = Gateway()
    yield gateway
    gateway.close()


def winner(gateway, committer, exclude=()):
    """The user whose commit the gateway picks: BotHost's, or the first other member able to commit."""
    if committer == "bothost":
        return BOTHOST
    candidates = gateway.group_members() if gateway.epoch > 0 else sorted(gateway.key_packages)
    return next(u for u in candidates if u != BOTHOST and u not in exclude)


def call(gateway, kinds, committer):
    gateway.connect("bothost", BOTHOST)
    for index, kind in enumerate(kinds):
        gateway.connect(kind, BOTHOST + 1 + index)
    gateway.round(winner=winner(gateway, committer))
    gateway.check_media(f"{len(kinds) + 1} members")


@pytest.mark.parametrize("committer", COMMITTERS)
@pytest.mark.parametrize("other", ["davey", "libdave"])
def test_two_members(gateway, committer, other):
    call(gateway, [other], committer)


@pytest.mark.parametrize("committer", COMMITTERS)
def test_three_members(gateway, committer):
    call(gateway, ["davey", "libdave"], committer)


@pytest.mark.parametrize("committer", COMMITTERS)
def test_eight_members(gateway, committer):
    call(gateway, ["davey", "libdave", "davey", "libdave", "davey", "libdave", "davey"], committer)
    assert len(gateway.group_members()) == 8


@pytest.mark.parametrize("committer", COMMITTERS)
def test_add_mid_call(gateway, committer):
    call(gateway, ["davey"], committer)
    gateway.connect("libdave", 200)
    gateway.round(winner=winner(gateway, committer))
    gateway.check_media("after adding libdave")
    gateway.connect("davey", 201)
    gateway.round(winner=winner(gateway, committer))
    gateway.check_media("after adding davey")


@pytest.mark.parametrize("committer", COMMITTERS)
def test_remove_mid_call(gateway, committer):
    call(gateway, ["davey", "libdave", "davey"], committer)
    # BotHost commits the removal of another implementation, or another removes BotHost.
    leaving = BOTHOST + 2 if committer == "bothost" else BOTHOST
    left = gateway.disconnect(leaving)
    gateway.round(removing=[leaving], winner=winner(gateway, committer) if committer == "bothost" else BOTHOST + 1)
    gateway.check_media("after the removal")
    gateway.check_cannot_decrypt(left, "removed member")


@pytest.mark.parametrize("committer", COMMITTERS)
def test_two_proposals_in_one_commit(gateway, committer):
    call(gateway, ["davey", "libdave"], committer)
    left = gateway.disconnect(BOTHOST + 1)
    gateway.connect("libdave", 300)
    gateway.connect("davey", 301)
    # One remove and two adds, committed together.
    gateway.round(removing=[BOTHOST + 1], winner=winner(gateway, committer, exclude=[BOTHOST + 1]))
    assert sorted(gateway.group_members()) == [BOTHOST, BOTHOST + 2, 300, 301]
    gateway.check_media("after remove + add + add")
    gateway.check_cannot_decrypt(left, "removed member")


@pytest.mark.parametrize("committer", COMMITTERS)
def test_commit_that_loses_the_race(gateway, committer):
    """Every member commits each round; the losers (BotHost when others win, the others when
    BotHost wins) drop their commit and follow the winner's."""
    call(gateway, ["davey", "libdave"], committer)
    gateway.connect("davey", 400)
    gateway.round(winner=winner(gateway, committer))
    assert BOTHOST in gateway.commits and len(gateway.commits) == 3, "every member should have committed"
    gateway.check_media("after a round with three competing commits")


@pytest.mark.parametrize("committer", COMMITTERS)
def test_revoked_proposal_is_not_committed(gateway, committer):
    call(gateway, ["davey", "libdave"], committer)
    gateway.connect("davey", 450)
    gateway.revoke_then_round(450)
    gateway.round(winner=winner(gateway, committer))
    gateway.check_media("after a revoke and a fresh proposal")


@pytest.mark.parametrize("committer", COMMITTERS)
def test_invalid_commit_then_recovery(gateway, committer):
    """A member gets a corrupted commit: it sends op 31 and a fresh key package; the gateway
    removes and re-adds it in one commit. BotHost recovers while others commit, or another
    implementation recovers while BotHost commits."""
    call(gateway, ["davey", "libdave"], committer)
    victim = BOTHOST if committer == "others" else BOTHOST + 2
    gateway.connect("davey", 500)
    transition = gateway.round(winner=winner(gateway, committer, exclude=[victim]), tamper_for=[victim])
    assert gateway.invalid.get(victim) == [transition], f"{gateway.kind(victim)} did not send op 31"
    assert victim in gateway.key_packages, "no fresh key package after op 31"
    gateway.round(removing=[victim], winner=winner(gateway, committer, exclude=[victim]))
    gateway.check_media("after recovery")


@pytest.mark.parametrize("committer", COMMITTERS)
def test_sole_member_reset(gateway, committer):
    """The last member gets op 24 (epoch 1) and op 21 (transition 0), then a new group forms
    with the next member to join."""
    call(gateway, ["libdave"], committer)
    sole = BOTHOST if committer == "bothost" else BOTHOST + 1
    leaving = BOTHOST + 1 if sole == BOTHOST else BOTHOST
    left = gateway.disconnect(leaving)
    gateway.round(removing=[leaving], winner=sole)
    gateway.sole_member_reset(sole)
    assert sole in gateway.key_packages, "no key package after the reset"
    gateway.connect("davey" if sole == BOTHOST else "bothost", 600 if sole == BOTHOST else BOTHOST + 50)
    gateway.round(winner=sole)
    gateway.check_media("new group after the reset")
    gateway.check_cannot_decrypt(left, "member gone before the reset")


@pytest.mark.parametrize("committer", COMMITTERS)
def test_downgrade_to_passthrough_and_back(gateway, committer):
    call(gateway, ["davey", "libdave"], committer)
    gateway.downgrade()
    gateway.check_media("passthrough", encrypted=False)
    gateway.new_group()
    gateway.round(winner=winner(gateway, committer))
    gateway.check_media("encrypted again")


def test_libdave_frames_with_unencrypted_ranges(gateway):
    """The decryptor is codec-agnostic: libdave's VP8 frames keep their header in the clear
    (unencrypted ranges in the footer) and BotHost reassembles them."""
    call(gateway, ["libdave"], "others")
    key_frame = bytes([0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01]) + bytes(range(200))
    frame = gateway.members[BOTHOST + 1].encrypt_vp8(key_frame)
    assert frame[:10] == key_frame[:10] and frame[10:20] != key_frame[10:20], "libdave did not leave the VP8 header unencrypted"
    assert gateway.members[BOTHOST].decrypt(BOTHOST + 1, frame, video=True) == key_frame
