"""discord.py, a client written without the emulator in mind, against the local Discord. Each test
starts a fresh emulator and bot (see discordpy_bot.run_session) and waits on conditions only."""

import json

import discord

from discordpy_bot import CHANNEL_ID, GUILD_ID, USER_ID, ShardedInteropBot, run_session
from emulator_process import until


def received_ops(frames, op):
    return [f for f in frames if f["direction"] == "received" and f["op"] == op]


def sent_ops(frames, op):
    return [f for f in frames if f["direction"] == "sent" and f["op"] == op]


async def user_message_reaches_bot(session, content):
    answer = await session.emulator.call("user_sends_message", channel_id=str(CHANNEL_ID), content=content)
    message_id = int(answer["message_id"])
    await until(lambda: any(m.id == message_id for m in session.bot.received), f"MESSAGE_CREATE {message_id} in discord.py")
    return message_id


async def resumed_without_identify(session, mark):
    """After a fault at frame index `mark`: discord.py sent op 6 on the resume URL, saw RESUMED,
    and never identified again."""
    await until(lambda: session.runner_failure() or session.bot.resumes >= 1, "RESUMED in discord.py")
    frames = await session.emulator.frames(since=mark)
    resumes = received_ops(frames, 6)
    assert resumes, "the emulator saw no op 6 Resume"
    assert all(f["via_resume_url"] for f in resumes), f"resumed on the gateway URL, not resume_gateway_url: {resumes}"
    assert not received_ops(frames, 2), "discord.py identified again instead of resuming"
    assert any(f["t"] == "RESUMED" for f in sent_ops(frames, 0))
    assert session.bot.readies == 1
    assert len(await session.identifies()) == 1


def test_login_receives_ready_guild_create_and_messages():
    async def scenario(session):
        bot, emulator = session.bot, session.emulator
        identifies = await session.identifies()
        assert [i["outcome"] for i in identifies] == ["accepted"]
        assert bot.dispatch_types[:2] == ["READY", "GUILD_CREATE"]
        assert bot.user is not None and bot.user.id == int(emulator.urls["bot_user_id"])
        assert bot.application_id == int(emulator.urls["application_id"])

        guild = bot.get_guild(GUILD_ID)
        assert guild.name == "Sandbox"
        general = guild.get_channel(CHANNEL_ID)
        assert isinstance(general, discord.TextChannel) and general.name == "general"
        assert isinstance(guild.get_channel(2002), discord.VoiceChannel)

        # setup_hook synced the tree: one bulk overwrite of the guild's commands.
        commands = {c["name"]: c for c in (await emulator.call("commands", guild_id=str(GUILD_ID)))["commands"]}
        assert sorted(commands) == ["echo", "slow"]
        assert commands["echo"]["options"][0]["name"] == "text"

        message_id = await user_message_reaches_bot(session, "hello bot")
        message = next(m for m in bot.received if m.id == message_id)
        assert message.author.id == USER_ID and message.channel.id == CHANNEL_ID and message.guild.id == GUILD_ID
        # Without the MESSAGE_CONTENT intent Discord leaves content empty unless the bot is mentioned.
        assert message.content == ""

    run_session(scenario)


def test_dropped_socket_resumes_on_resume_url_and_replays_what_was_missed():
    async def scenario(session):
        emulator = session.emulator
        mark = await emulator.frame_count()
        assert (await emulator.call("fault", fault="drop_connections"))["affected"] == 1
        # Sent while discord.py is away: the resume must replay it, once.
        answer = await emulator.call("user_sends_message", channel_id=str(CHANNEL_ID), content="while away")
        missed = int(answer["message_id"])
        await resumed_without_identify(session, mark)
        await until(lambda: any(m.id == missed for m in session.bot.received), "the missed MESSAGE_CREATE replayed")
        await user_message_reaches_bot(session, "after the resume")
        assert [m.id for m in session.bot.received].count(missed) == 1

    run_session(scenario)


def test_op7_reconnect_resumes_on_resume_url():
    async def scenario(session):
        emulator = session.emulator
        mark = await emulator.frame_count()
        assert (await emulator.call("fault", fault="reconnect"))["affected"] == 1
        await resumed_without_identify(session, mark)
        frames = await emulator.frames(since=mark)
        assert sent_ops(frames, 7)
        await user_message_reaches_bot(session, "after op 7")

    run_session(scenario)


def test_op9_resumable_resumes():
    async def scenario(session):
        emulator = session.emulator
        mark = await emulator.frame_count()
        assert (await emulator.call("fault", fault="invalid_session", resumable=True))["affected"] == 1
        await resumed_without_identify(session, mark)
        await user_message_reaches_bot(session, "after op 9 true")

    run_session(scenario)


def test_op9_not_resumable_identifies_afresh():
    async def scenario(session):
        emulator, bot = session.emulator, session.bot
        mark = await emulator.frame_count()
        assert (await emulator.call("fault", fault="invalid_session", resumable=False))["affected"] == 1
        # discord.py waits 5 s before identifying again (Client.before_identify_hook).
        await until(lambda: session.runner_failure() or bot.readies >= 2, "a second READY in discord.py")
        identifies = await session.identifies()
        assert [i["outcome"] for i in identifies] == ["accepted", "accepted"]
        assert identifies[0]["session_id"] != identifies[1]["session_id"]
        frames = await emulator.frames(since=mark)
        assert not received_ops(frames, 6), "discord.py tried to resume an invalidated session"
        identify = received_ops(frames, 2)
        assert len(identify) == 1 and not identify[0]["via_resume_url"], "a fresh identify belongs on the gateway URL"
        assert bot.resumes == 0
        await user_message_reaches_bot(session, "after op 9 false")

    run_session(scenario)


def test_slash_command_answered_through_the_interaction_callback():
    async def scenario(session):
        emulator, bot = session.emulator, session.bot
        answer = await emulator.call(
            "user_invokes_command", name="echo", options=[{"name": "text", "type": 3, "value": "hi there"}])
        interaction_id = answer["interaction_id"]

        async def responses():
            return (await emulator.call("interaction_responses", interaction_id=interaction_id))["responses"]

        recorded = await until(responses, "the interaction callback")
        assert not bot.command_errors, bot.command_errors
        assert [(r["kind"], r["type"]) for r in recorded] == [("callback", 4)]
        assert recorded[0]["status"] in (200, 204), recorded[0]

        messages = await emulator.messages(CHANNEL_ID)
        reply = next(m for m in messages if m.get("interaction_metadata", {}).get("id") == interaction_id)
        assert reply["content"] == "echo: hi there"
        assert reply["type"] == 20
        assert reply["embeds"][0]["title"] == "Echo" and reply["embeds"][0]["description"] == "hi there"
        assert reply["embeds"][0]["color"] == 0x5865F2

    run_session(scenario)


def test_deferred_command_edits_its_original_and_follows_up():
    async def scenario(session):
        emulator, bot = session.emulator, session.bot
        interaction_id = (await emulator.call("user_invokes_command", name="slow"))["interaction_id"]

        async def responses():
            answer = await emulator.call("interaction_responses", interaction_id=interaction_id)
            return len(answer["responses"]) >= 3 and answer["responses"]

        recorded = await until(responses, "the deferral, the edit of the original and the follow-up")
        assert not bot.command_errors, bot.command_errors
        assert [(r["kind"], r["type"], r["status"]) for r in recorded] == [
            ("callback", 5, 200), ("edit_original", None, 200), ("follow_up", None, 200)]

        replies = [m for m in await emulator.messages(CHANNEL_ID) if m.get("interaction_metadata", {}).get("id") == interaction_id]
        original, follow_up = replies
        assert original["content"] == "thought about it" and original["flags"] & 128 == 0, "the edit ends the loading state"
        assert follow_up["content"] == "and one more thing" and follow_up["flags"] & 64
        assert follow_up["embeds"][0]["title"] == "Follow-up"

    run_session(scenario)


def test_message_with_embed_is_posted_then_edited():
    async def scenario(session):
        emulator, bot = session.emulator, session.bot
        channel = bot.get_channel(CHANNEL_ID)
        embed = discord.Embed(title="Status", description="all good", colour=0x00FF00)
        embed.add_field(name="uptime", value="3 days", inline=False)
        embed.set_footer(text="bothost")
        sent = await channel.send("first version", embed=embed)

        stored = next(m for m in await emulator.messages(CHANNEL_ID) if int(m["id"]) == sent.id)
        assert stored["content"] == "first version"
        assert stored["author"]["id"] == emulator.urls["bot_user_id"]
        assert stored["edited_timestamp"] is None and stored["edit_count"] == 0
        stored_embed = stored["embeds"][0]
        assert stored_embed["title"] == "Status" and stored_embed["description"] == "all good"
        assert stored_embed["color"] == 0x00FF00
        assert stored_embed["fields"] == [{"name": "uptime", "value": "3 days", "inline": False}]
        assert stored_embed["footer"]["text"] == "bothost"
        assert sent.embeds[0].title == "Status"

        edited = await sent.edit(content="second version", embed=discord.Embed(title="Status", description="degraded"))
        assert edited.id == sent.id and edited.edited_at is not None
        assert edited.embeds[0].description == "degraded"

        stored = next(m for m in await emulator.messages(CHANNEL_ID) if int(m["id"]) == sent.id)
        assert stored["content"] == "second version"
        assert stored["edited_timestamp"] is not None and stored["edit_count"] == 1
        assert [e["description"] for e in stored["embeds"]] == ["degraded"]
        # The gateway told the bot about its own message and the edit.
        await until(lambda: "MESSAGE_UPDATE" in bot.dispatch_types, "MESSAGE_UPDATE in discord.py")
        assert any(m.id == sent.id for m in bot.received)

    run_session(scenario)


def test_server_heartbeat_request_is_answered_at_once():
    async def scenario(session):
        emulator = session.emulator
        mark = await emulator.frame_count()
        assert (await emulator.call("fault", fault="request_heartbeat"))["affected"] == 1

        async def heartbeat_after_request():
            frames = await emulator.frames(since=mark)
            requested = [f["index"] for f in sent_ops(frames, 1)]
            return requested and [f for f in received_ops(frames, 1) if f["index"] > requested[0]]

        beats = await until(heartbeat_after_request, "discord.py's heartbeat answering op 1")
        # The heartbeat carries the last sequence number discord.py saw.
        assert isinstance(json.loads(beats[0]["json"])["d"], int)

    run_session(scenario)


def test_session_timeout_close_4009_then_refused_resume_leads_to_a_fresh_identify():
    async def scenario(session):
        emulator, bot = session.emulator, session.bot
        mark = await emulator.frame_count()
        # 4009 ends the session on Discord. discord.py still tries to resume (it resumes after
        # any close it can handle), is refused with op 9 d:false, and identifies afresh.
        assert (await emulator.call("fault", fault="close", code=4009))["affected"] == 1
        await until(lambda: session.runner_failure() or bot.readies >= 2, "a second READY in discord.py")
        frames = await emulator.frames(since=mark)
        resumes = received_ops(frames, 6)
        assert resumes and all(f["via_resume_url"] for f in resumes)
        refusals = [json.loads(f["json"]) for f in sent_ops(frames, 9) if f["connection"] == resumes[0]["connection"]]
        assert [r["d"] for r in refusals] == [False]
        # After a resume attempt discord.py keeps that attempt's URL for its next connection, so
        # this identify goes to the resume URL. Discord's resume URL is an ordinary gateway node
        # that takes identifies too; so must the emulator's.
        assert len(received_ops(frames, 2)) == 1
        assert [i["outcome"] for i in await session.identifies()] == ["accepted", "accepted"]
        assert bot.resumes == 0
        await user_message_reaches_bot(session, "after the new session")

    run_session(scenario)


def test_sharded_client_takes_url_and_shards_from_gateway_bot():
    async def scenario(session):
        emulator, bot = session.emulator, session.bot
        requests = (await emulator.call("requests"))["requests"]
        assert any(r["method"] == "GET" and r["path"].endswith("/gateway/bot") and r["status"] == 200 for r in requests)
        assert bot.shard_count == 1 and list(bot.shards) == [0]
        identify = json.loads(received_ops(await emulator.frames(), 2)[0]["json"])
        assert identify["d"]["shard"] == [0, 1]
        assert bot.get_guild(GUILD_ID).shard_id == 0
        await user_message_reaches_bot(session, "to shard 0")

    run_session(scenario, ShardedInteropBot)
