"""The local Discord as a child process: `bothost emulator --control`, driven over its stdin/stdout
line protocol (Sources/DiscordEmulator/Control/EmulatorControl.swift)."""

import asyncio
import json
import os
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GENEROUS_TIMEOUT = 30.0


def bothost_binary() -> Path:
    path = Path(os.environ.get("BOTHOST_BIN", REPO / ".build" / "debug" / "bothost"))
    if not path.is_file():
        raise RuntimeError(f"{path} does not exist: build it first (swift build --product bothost)")
    return path


class EmulatorProcess:
    """One emulator, fresh state. `call` sends a request and returns the answer, raising when the
    emulator refuses it."""

    def __init__(self, process: asyncio.subprocess.Process, urls: dict):
        self.process = process
        self.urls = urls
        self._lock = asyncio.Lock()

    @classmethod
    async def start(cls) -> "EmulatorProcess":
        process = await asyncio.create_subprocess_exec(
            str(bothost_binary()), "emulator", "--port", "0", "--control",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=64 * 1024 * 1024)
        line = await asyncio.wait_for(process.stdout.readline(), GENEROUS_TIMEOUT)
        if not line:
            raise RuntimeError(f"the emulator exited before it listened (status {await process.wait()})")
        urls = json.loads(line)
        assert urls["ok"], urls
        return cls(process, urls)

    async def call(self, action: str, **fields) -> dict:
        async with self._lock:
            self.process.stdin.write((json.dumps({"do": action, **fields}) + "\n").encode())
            await self.process.stdin.drain()
            line = await asyncio.wait_for(self.process.stdout.readline(), GENEROUS_TIMEOUT)
        if not line:
            raise RuntimeError(f"the emulator exited while answering {action}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise RuntimeError(f"the emulator refused {action}: {answer['error']}")
        return answer

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), GENEROUS_TIMEOUT)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()

    # Readings the scenarios share.

    async def frames(self, since: int = 0) -> list:
        return (await self.call("gateway_frames", since=since))["frames"]

    async def frame_count(self) -> int:
        return (await self.call("gateway_frames", since=1 << 62))["next"]

    async def messages(self, channel_id: int) -> list:
        return (await self.call("messages", channel_id=str(channel_id)))["messages"]


async def until(condition, what: str, timeout: float = GENEROUS_TIMEOUT):
    """Waits until `condition()` (sync or async) returns something truthy and returns it. Polls:
    the condition lives in another process."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.02)
