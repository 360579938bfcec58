"""User 222 of channel 1234 played by davey 0.1.7 (DAVE on OpenMLS), driven by InteropTests."""
import davey
from exchange import wait, put, run


def scenario():
    session = davey.DaveSession(1, 222, 1234)
    session.set_external_sender(wait("external_sender"))
    put("key_package", session.get_serialized_key_package())
    # 1. The Swift member commits the Add of this member; it joins from the Welcome.
    session.process_welcome(wait("welcome1"))
    put("authenticator1", session.get_epoch_authenticator())
    # 2. It commits the gateway's Add of a third (Swift) member: commit then Welcome, as op 28.
    result = session.process_proposals(davey.ProposalsOperationType.append, wait("proposals2"), [111, 333])
    put("commit_welcome2", result.commit + (result.welcome or b""))
    session.process_commit(wait("winning_commit2"))
    put("authenticator2", session.get_epoch_authenticator())
    # 3. The Swift member commits the gateway's Remove of the third member; it processes that.
    session.process_proposals(davey.ProposalsOperationType.append, wait("proposals3"), None)
    session.process_commit(wait("commit3"))
    put("authenticator3", session.get_epoch_authenticator())


run(scenario)
