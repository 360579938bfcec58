"""User 222 of channel 1234 played by dave-py 1.1.0 (libdave on mlspp), driven by InteropTests."""
import dave
from exchange import wait, put, run

failures = []


def scenario():
    session = dave.Session(lambda source, reason: failures.append((source, reason)))
    session.init(1, 1234, "222")
    session.set_external_sender(wait("external_sender"))
    put("key_package", session.get_marshalled_key_package())
    # 1. The Swift member commits the Add of this member; it joins from the Welcome.
    if session.process_welcome(wait("welcome1"), {"111", "222", "333"}) is None:
        raise RuntimeError("welcome refused: %r" % failures)
    put("authenticator1", session.get_last_epoch_authenticator())
    # 2. It commits the gateway's Add of a third (Swift) member; libdave's payload starts with
    # the operation byte (0: append) and returns the commit followed by the Welcome (op 28).
    commit_welcome = session.process_proposals(b"\x00" + wait("proposals2"), {"111", "333"})
    if commit_welcome is None:
        raise RuntimeError("proposals refused: %r" % failures)
    put("commit_welcome2", commit_welcome)
    if not isinstance(session.process_commit(wait("winning_commit2")), dict):
        raise RuntimeError("own commit refused: %r" % failures)
    put("authenticator2", session.get_last_epoch_authenticator())
    # 3. The Swift member commits the gateway's Remove of the third member; it processes that.
    session.process_proposals(b"\x00" + wait("proposals3"), {"111", "333"})
    if not isinstance(session.process_commit(wait("commit3")), dict):
        raise RuntimeError("commit refused: %r" % failures)
    put("authenticator3", session.get_last_epoch_authenticator())


run(scenario)
