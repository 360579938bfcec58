#!/usr/bin/env python3
"""Writes the seed corpus, Corpus/<target>/seed-*: small, meaningful inputs in the layout each
fuzz entry reads (see Sources/BotHost/Fuzzing/FuzzEntryPoints.swift and
Plugins/GameSessions/Core/FeedFuzzEntry.swift). Payload shapes follow what Discord and the bundled
emulator send; feeds and configs are the repository's own test fixtures. Run from Fuzz/:
`python3 make-seeds.py`. Inputs the fuzzer adds stay beside these, under their hash names."""
import json, os, struct, zlib

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(ROOT)


def write(target, name, data):
    folder = os.path.join(ROOT, "Corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def records(*items):
    """kind byte, big-endian u16 length, body: FuzzInput's layout."""
    out = b""
    for kind, body in items:
        body = body if isinstance(body, bytes) else body.encode()
        out += bytes([kind]) + struct.pack(">H", len(body)) + body
    return out


def fixture(path):
    with open(os.path.join(REPO, path), "rb") as f:
        return f.read()


def compact(value, ensure_ascii=False):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=ensure_ascii)


# -- gateway messages (main gateway and voice gateway) ---------------------------------------------
HELLO = compact({"op": 10, "d": {"heartbeat_interval": 41250, "_trace": ["[\"gateway-prd-us-east1-b-0568\",{}]"]}, "s": None, "t": None})
READY = compact({"op": 0, "s": 1, "t": "READY", "d": {
    "v": 10, "session_id": "9c1a4e5bd0f3a2c7e8b6d4f2a0c8e6b4", "resume_gateway_url": "wss://gateway-us-east1-b.discord.gg",
    "user": {"id": "1000", "username": "bothost", "bot": True}, "guilds": [{"id": "2000", "unavailable": True}],
    "shard": [0, 1], "application": {"id": "1000", "flags": 0}}})
MESSAGE_CREATE = compact({"op": 0, "s": 2, "t": "MESSAGE_CREATE", "d": {
    "id": "4001", "channel_id": "2001", "guild_id": "2000", "content": "caf\u00e9 \"quoted\" \\ \ud83c\udfae \n tab\t",
    "author": {"id": "3000", "username": "someone"}, "mentions": [], "embeds": [], "tts": False, "pinned": False,
    "timestamp": "2024-05-01T12:00:00.000000+00:00", "nonce": 12345678901234567890, "flags": 0}}, ensure_ascii=True)
HEARTBEAT_ACK = '{"op":11}'
INVALID_SESSION = '{"op":9,"d":false,"s":null,"t":null}'
RECONNECT = '{"op":7,"d":null}'
VOICE_READY_DISPATCH = compact({"op": 0, "s": 3, "t": "READY", "d": {"user": {"id": "1000"}, "shard": [0, 2]}})
VOICE_STATE_UPDATE = compact({"op": 0, "s": 4, "t": "VOICE_STATE_UPDATE", "d": {
    "guild_id": "2000", "channel_id": "2002", "user_id": "1000", "session_id": "f3a2c7e8b6d4", "self_mute": False,
    "self_deaf": False, "deaf": False, "mute": False, "suppress": False}})
VOICE_SERVER_UPDATE = compact({"op": 0, "s": 5, "t": "VOICE_SERVER_UPDATE", "d": {
    "guild_id": "2000", "token": "voice-token", "endpoint": "us-east1234.discord.media:443"}})
VOICE_HELLO = compact({"op": 8, "d": {"v": 8, "heartbeat_interval": 13750.25}})
VOICE_READY = compact({"op": 2, "d": {"ssrc": 4242, "ip": "127.0.0.1", "port": 50000,
                                      "modes": ["aead_aes256_gcm_rtpsize", "aead_xchacha20_poly1305_rtpsize"], "heartbeat_interval": 1}})
VOICE_SESSION = compact({"op": 4, "seq": 2, "d": {"mode": "aead_xchacha20_poly1305_rtpsize", "secret_key": list(range(200, 232)),
                                                  "dave_protocol_version": 0}})
VOICE_SPEAKING = compact({"op": 5, "seq": 3, "d": {"user_id": "3000", "ssrc": 5151, "speaking": 1}})
VOICE_CONNECT = compact({"op": 11, "seq": 4, "d": {"user_ids": ["3000", "3001"]}})
VOICE_DISCONNECT = compact({"op": 13, "seq": 5, "d": {"user_id": "3001"}})
MESSAGES = [HELLO, READY, MESSAGE_CREATE, HEARTBEAT_ACK, INVALID_SESSION, RECONNECT, VOICE_READY_DISPATCH,
            VOICE_STATE_UPDATE, VOICE_SERVER_UPDATE, VOICE_HELLO, VOICE_READY, VOICE_SESSION, VOICE_SPEAKING,
            VOICE_CONNECT, VOICE_DISCONNECT]
NAMES = ["hello", "ready", "message-create", "heartbeat-ack", "invalid-session", "reconnect", "voice-ready-dispatch",
         "voice-state-update", "voice-server-update", "voice-hello", "voice-ready", "voice-session-description",
         "voice-speaking", "voice-clients-connect", "voice-client-disconnect"]
for name, message in zip(NAMES, MESSAGES):
    write("FuzzGatewayPayloads", name + ".json", message)
write("FuzzGatewayPayloads", "voice-binary-frame", bytes([0x00, 0x07, 25]) + b"\x01\x02\x03\x04")

# -- gateway frames: kind = opcode index << 2 | compressed (first record only) | small limit --------
BINARY, TEXT, CLOSE, PING = 0 << 2, 1 << 2, 2 << 2, 3 << 2


def zlib_stream(messages, split=None):
    """Each message deflated on one connection-wide context and ended with a sync flush."""
    context = zlib.compressobj()
    frames = []
    for message in messages:
        frames.append(context.compress(message.encode()) + context.flush(zlib.Z_SYNC_FLUSH))
    if split is not None:  # one message delivered in two frames
        data = frames[split]
        frames[split:split + 1] = [data[: len(data) // 2], data[len(data) // 2:]]
    return frames


write("FuzzGatewayFrames", "text-session", records(
    (TEXT, HELLO), (TEXT, READY), (TEXT, MESSAGE_CREATE), (PING, b"beat"), (CLOSE, struct.pack(">H", 4000) + b"unknown error")))
frames = zlib_stream([HELLO, READY, MESSAGE_CREATE, HEARTBEAT_ACK], split=1)
write("FuzzGatewayFrames", "zlib-stream-session", records(
    *[(BINARY | (1 if i == 0 else 0), f) for i, f in enumerate(frames)], (CLOSE, struct.pack(">H", 4009))))
big = compact({"op": 0, "s": 9, "t": "GUILD_CREATE", "d": {"id": "2000", "members": [{"user": {"id": str(3000 + i)}} for i in range(40)]}})
write("FuzzGatewayFrames", "zlib-stream-over-limit", records(*[(BINARY | (3 if i == 0 else 0), f) for i, f in enumerate(zlib_stream([HELLO, big]))]))
write("FuzzGatewayFrames", "zlib-stream-corrupt", records((BINARY | 1, b"\x78\x9c\xff\xff\xff\x00\x00\xff\xff"), (BINARY, zlib_stream([HELLO])[0])))
write("FuzzGatewayFrames", "uncompressed-binary", records((BINARY, INVALID_SESSION), (CLOSE, b"\x0f"), (CLOSE, b"")))

# -- plugins.json ---------------------------------------------------------------------------------
write("FuzzPluginsFile", "repository.json", fixture("plugins.json"))
write("FuzzPluginsFile", "full-host.json", json.dumps({
    "host": {"owners": ["123456789012345678"], "commandGuilds": ["876543210987654321"], "dataDirectory": "data",
             "pluginsDirectory": "plugins", "callbackBudgetMs": 250, "cleanupDeadlineMs": 2000, "busQueueCapacity": 1024,
             "maxOverruns": 3, "logLevel": "debug"},
    "plugins": [{"name": "counter", "library": "libExampleCCounter.so", "enabled": True, "config": {"start": 5}},
                {"name": "limits", "library": "libRateLimit.so", "enabled": False,
                 "config": {"rules": [{"topic": "a.*", "rate": 1.5e2, "text": "\u00e9\u0000\ud83d\ude00"}]}}]}, indent=2))
write("FuzzPluginsFile", "syntax-error.json", '{"plugins": [{"name": "x", "library": "libX.so",}]}')

# -- GameSessions feeds and config: first byte 0 OpenRA, 1 generic, 2 generic nested, 3 config ----
write("FuzzFeeds", "openra-games", b"\x00" + fixture("Tests/Fixtures/GameSessions/openra-games.json"))
write("FuzzFeeds", "generic-seed", b"\x01" + fixture("Tests/Fixtures/GameSessions/generic-seed.json"))
write("FuzzFeeds", "generic-nested", b"\x02" + fixture("Tests/Fixtures/GameSessions/generic-nested.json"))
write("FuzzFeeds", "config", b"\x03" + compact({"sources": [
    {"id": "openra", "url": "https://master.openra.net/games?protocol=2&type=json", "format": "openra"},
    {"id": "arena", "url": "https://arena.example/api", "format": "generic",
     "generic": {"sessions": "data.servers", "id": "uuid", "name": "title", "players": "stats.online", "map": None,
                 "waitingStates": ["lobby"], "playingStates": ["running"]}}]}).encode())

# -- voice media: kind 0 RTP parse, 1 raw datagram, 2 sealed by the session key, 3 flush, 4 IP discovery
def rtp(seq, ts, ssrc, payload, extension=None, csrcs=(), padding=0):
    first = 0x80 | (0x10 if extension is not None else 0) | (0x20 if padding else 0) | len(csrcs)
    header = bytes([first, 0x78]) + struct.pack(">HII", seq, ts, ssrc) + b"".join(struct.pack(">I", c) for c in csrcs)
    body = payload
    if extension is not None:
        header += struct.pack(">HH", 0xBEDE, len(extension) // 4)
        body = extension + payload
    if padding:
        body += bytes(padding - 1) + bytes([padding])
    return header + body


SILENCE = b"\xf8\xff\xfe"
CELT_20MS = bytes([0xFC]) + bytes(range(1, 60))  # TOC: CELT fullband 20 ms, one frame
talk = [(2, rtp(100 + i, 960 * i, 5151, CELT_20MS)) for i in (0, 1, 3, 2, 5)]
write("FuzzVoiceMedia", "talk-spurt-reordered", records(*talk, (3, struct.pack(">I", 5151)), (2, rtp(106, 5760, 5151, SILENCE))))
write("FuzzVoiceMedia", "extension-csrc-padding", records(
    (0, rtp(7, 0, 9, CELT_20MS, extension=b"\x10\xaa\x00\x00", csrcs=(1, 2))),
    (2, rtp(8, 960, 9, CELT_20MS, extension=b"\x10\xaa\x00\x00", csrcs=(1,), padding=4)), (3, b"")))
write("FuzzVoiceMedia", "raw-and-rtcp", records((1, bytes([0x81, 0xC9]) + bytes(30)), (1, rtp(1, 0, 1, CELT_20MS) + bytes(20))))
discovery = struct.pack(">HHI", 2, 70, 4242) + b"203.0.113.7".ljust(64, b"\x00") + struct.pack(">H", 50004)
write("FuzzVoiceMedia", "ip-discovery", records((4, discovery), (2, rtp(1, 0, 4242, SILENCE))))
write("FuzzVoiceMedia", "many-sources", records(*[(2, rtp(1, 0, ssrc, CELT_20MS)) for ssrc in range(1, 7)], (3, b"")))

# -- interactions: an INTERACTION_CREATE d; or a command line, a newline, and its definition -------
def interaction(kind, data, **extra):
    value = {"id": "5001", "application_id": "1000", "type": kind, "token": "interaction-token", "version": 1,
             "guild_id": "2000", "channel_id": "2001", "data": data, "locale": "en-US",
             "member": {"user": {"id": "3000", "username": "someone"}, "permissions": "1799804002094657"}}
    value.update(extra)
    return compact(value)


write("FuzzInteractions", "slash-command.json", interaction(2, {"id": "6001", "name": "count", "type": 1,
                                                                "options": [{"name": "add", "type": 4, "value": 5}]}))
write("FuzzInteractions", "autocomplete.json", interaction(4, {"id": "6002", "name": "sessions", "type": 1,
                                                               "options": [{"name": "game", "type": 3, "value": "ra", "focused": True}]}))
write("FuzzInteractions", "button.json", interaction(3, {"custom_id": "sessions:refresh", "component_type": 2},
                                                     message={"id": "4001", "channel_id": "2001"}))
write("FuzzInteractions", "dm-command.json", compact({"id": 5002, "type": 2, "token": "t", "channel": {"id": "2009"},
                                                      "user": {"id": 3000}, "data": {"name": "help"}}))
write("FuzzInteractions", "command-line", '/sessions watch channel:123 "game:red alert"\n' + compact({
    "name": "sessions", "description": "Game sessions", "options": [
        {"name": "watch", "type": 1, "options": [{"name": "channel", "type": 7, "required": True},
                                                  {"name": "game", "type": 3}]},
        {"name": "limits", "type": 2, "options": [{"name": "set", "type": 1, "options": [
            {"name": "count", "type": 4}, {"name": "ratio", "type": 10}, {"name": "on", "type": 5}]}]}]}))
write("FuzzInteractions", "command-line-typed", "/sessions limits set count:7 ratio:0.5 on:yes\n" + compact({
    "name": "sessions", "options": [{"name": "limits", "type": 2, "options": [{"name": "set", "type": 1, "options": [
        {"name": "count", "type": 4}, {"name": "ratio", "type": 10}, {"name": "on", "type": 5}]}]}]}))

# -- DAVE: voice server frames (u16 sequence, opcode, payload), JSON ops by a leading opcode byte,
# client frames (opcode, payload), media frames opened as they come or sealed and then altered ------
def vec(data):
    """An MLS variable-length vector (RFC 9420 §2.1.2), for lengths below 64."""
    return bytes([len(data)]) + data


EXTERNAL_SENDER = vec(b"\x04" + bytes(range(64))) + struct.pack(">H", 1) + vec(struct.pack(">Q", 1000))
write("FuzzDAVE", "external-sender", records((0, struct.pack(">HB", 1, 25) + EXTERNAL_SENDER)))
write("FuzzDAVE", "proposals-revoke", records((0, struct.pack(">HB", 2, 27) + b"\x01" + vec(vec(bytes(32))))))
write("FuzzDAVE", "announce-commit", records((0, struct.pack(">HBH", 3, 29, 5) + struct.pack(">HH", 1, 1) + vec(bytes(16)))))
write("FuzzDAVE", "welcome", records((0, struct.pack(">HBH", 4, 30, 5) + struct.pack(">HH", 1, 3) + vec(bytes(20)))))
write("FuzzDAVE", "json-ops", records(
    (1, bytes([21]) + b'{"transition_id":3,"protocol_version":1}'),
    (1, bytes([22]) + b'{"transition_id":3}'),
    (1, bytes([24]) + b'{"epoch":1,"protocol_version":1}'),
    (3, bytes([23]) + b'{"transition_id":3}'),
    (3, bytes([31]) + b'{"transition_id":3}')))
write("FuzzDAVE", "client-frames", records((2, bytes([26]) + struct.pack(">HH", 1, 2) + vec(bytes(8))),
                                           (2, bytes([28]) + struct.pack(">HH", 1, 1) + vec(bytes(16)))))
write("FuzzDAVE", "media", records((4, b"\xf8\xff\xfe"), (4, b"\xfc\x01\x02" + bytes(8) + b"\x05\x00\x0d\xfa\xfa"),
                                   (5, b""), (5, b"\x01"), (5, bytes(9) + b"\x80")))

# -- Isolation: frames an isolated plugin's process sends the host (Sources/PluginHost/Isolation/
# IsolationWire.swift): kind 22 a call (u32 id, u8 op, fields), 23 progress (u64 seq, i32 status,
# reason), 20 its descriptor, 21 a refusal; integers little-endian, byte strings u32-length-prefixed --
def wire_bytes(data):
    data = data if isinstance(data, bytes) else data.encode()
    return struct.pack("<I", len(data)) + data


def call(op, *fields, id=1):
    return struct.pack("<IB", id, op) + b"".join(fields)


write("FuzzIsolationFrames", "log-publish-storage", records(
    (22, call(1, struct.pack("<i", 2), wire_bytes("hello"), id=0)),
    (22, call(4, wire_bytes("demo.topic"), wire_bytes(b"\x00\x01payload"))),
    (22, call(16, wire_bytes("count"), wire_bytes("3"))),
    (22, call(15, wire_bytes("count"))),
    (22, call(18, wire_bytes("c"))),
    (22, call(31))))
write("FuzzIsolationFrames", "registrations", records(
    (22, call(5, struct.pack("<QB", 1, 1), wire_bytes("orders.*.created"))),
    (22, call(6, struct.pack("<QB", 2, 1), wire_bytes("demo.echo"))),
    (22, call(7, struct.pack("<QB", 3, 1), wire_bytes("demo.echo"), wire_bytes("hi"), struct.pack("<I", 1000))),
    (22, call(3, struct.pack("<QB", 4, 1), struct.pack("<QQ", 10, 10))),
    (22, call(9, struct.pack("<QB", 5, 1), wire_bytes('{"name":"x","description":"y"}'))),
    (22, call(2, struct.pack("<Q", 7)))))
write("FuzzIsolationFrames", "http-discord-voice", records(
    (22, call(19, struct.pack("<QB", 1, 1), b"\x01", struct.pack("<I", 64), wire_bytes("GET"), wire_bytes("http://127.0.0.1:9/"),
              struct.pack("<I", 1), wire_bytes("accept"), wire_bytes("*/*"), wire_bytes(""), struct.pack("<II", 1000, 0))),
    (22, call(21, struct.pack("<QB", 2, 1), wire_bytes("GET"), wire_bytes("/users/@me"), wire_bytes(""), wire_bytes(""))),
    (22, call(25, struct.pack("<QB", 3, 0), struct.pack("<QQI", 1, 2, 0))),
    (22, call(27, struct.pack("<QI", 1, 1), wire_bytes(bytes(3840))))))
write("FuzzIsolationFrames", "progress-descriptor", records(
    (23, struct.pack("<Qi", 1, 0) + wire_bytes("")),
    (20, wire_bytes("probe") + wire_bytes("1.0.0") + wire_bytes("a probe") + struct.pack("<IIQI", 1, 4, 0, 1) + wire_bytes("probe.extra") + b"\x0f"),
    (21, wire_bytes("initFailed") + wire_bytes("no") + wire_bytes("fix it")),
    (2, struct.pack("<QQB", 1, 1, 11) + struct.pack("<Q", 1) + wire_bytes("t") + wire_bytes("p") + struct.pack("<iq", -1, 0) + wire_bytes(""))))

# -- control socket requests, one per line (a few per input, as one connection sends them) ----------
write("FuzzControlRequests", "list", compact({"request": "list"}) + "\n")
write("FuzzControlRequests", "reload", compact({"request": "reload", "plugin": "counter"}) + "\n")
write("FuzzControlRequests", "several", "\n".join([
    compact({"request": "list"}), compact({"request": "reload", "plugin": "voice-sessions_2"}),
    '{"request":"reload"}', '{"request":"reload","plugin":"Bad Name"}', '{"request":"list","extra":1}',
    '{"request":"nope"}', '[1,2]', '{"request":', ""]))
