"""A discord.py bot aimed at the emulator, recording what discord.py reports."""

import asyncio
import logging
import os
import traceback

import discord
import yarl
from discord import app_commands

from emulator_process import GENEROUS_TIMEOUT, EmulatorProcess, until

GUILD_ID = 2000
CHANNEL_ID = 2001
USER_ID = 3000


def aim_discordpy_at(emulator: EmulatorProcess) -> None:
    """discord.py has no setting for Discord's address: its REST base is the class attribute
    `Route.BASE` and its first gateway URL `DiscordWebSocket.DEFAULT_GATEWAY` (a plain `Client`
    does not ask /gateway/bot). After READY it follows `resume_gateway_url` on its own."""
    discord.http.Route.BASE = emulator.urls["api_url"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.urls["gateway_url"])


class RecordingBot:
    """What the scenarios read back, for `discord.Client` and `discord.AutoShardedClient` alike."""

    def __init__(self):
        super().__init__(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self)
        self.readies = 0
        self.resumes = 0
        self.dispatch_types: list[str] = []
        self.received: list[discord.Message] = []
        self.command_errors: list[BaseException] = []

        @self.tree.command(name="echo", description="Says it back", guild=discord.Object(GUILD_ID))
        @app_commands.describe(text="What to say")
        async def echo(interaction: discord.Interaction, text: str):
            await interaction.response.send_message(
                f"echo: {text}", embed=discord.Embed(title="Echo", description=text, colour=0x5865F2))

        @self.tree.command(name="slow", description="Thinks, then answers", guild=discord.Object(GUILD_ID))
        async def slow(interaction: discord.Interaction):
            await interaction.response.defer(thinking=True)
            await interaction.edit_original_response(content="thought about it")
            await interaction.followup.send("and one more thing", embed=discord.Embed(title="Follow-up"), ephemeral=True)

        @self.tree.error
        async def on_command_error(interaction: discord.Interaction, error: app_commands.AppCommandError):
            self.command_errors.append(error)
            traceback.print_exception(error)  # pytest shows it with the failing test

    async def setup_hook(self) -> None:
        await self.tree.sync(guild=discord.Object(GUILD_ID))

    async def on_ready(self):
        self.readies += 1

    async def on_resumed(self):
        self.resumes += 1

    async def on_socket_event_type(self, event_type: str):
        self.dispatch_types.append(event_type)

    async def on_message(self, message: discord.Message):
        self.received.append(message)


class InteropBot(RecordingBot, discord.Client):
    """A plain client: connects to its built-in gateway URL without asking /gateway/bot."""


class ShardedInteropBot(RecordingBot, discord.AutoShardedClient):
    """Asks GET /gateway/bot for the URL and shard count, and identifies with `shard`."""


class Session:
    """An emulator with a discord.py bot logged in and READY on it."""

    def __init__(self, emulator: EmulatorProcess, bot: RecordingBot, runner: asyncio.Task):
        self.emulator = emulator
        self.bot = bot
        self.runner = runner

    async def identifies(self) -> list:
        return (await self.emulator.call("identifies"))["identifies"]

    def runner_failure(self):
        """The client task ended: discord.py gave up on the connection."""
        if self.runner.done():
            raise AssertionError(f"discord.py stopped: {self.runner.exception() or 'returned'}")


def run_session(scenario, bot_class=InteropBot) -> None:
    """Starts a fresh emulator and bot, waits for READY and the guild, runs `scenario(session)`,
    then shuts both down."""

    async def main():
        emulator = await EmulatorProcess.start()
        bot = None
        runner = None
        try:
            aim_discordpy_at(emulator)
            bot = bot_class()
            await bot.login(emulator.urls["token"])
            runner = asyncio.create_task(bot.connect(reconnect=True))
            session = Session(emulator, bot, runner)

            def ready():
                session.runner_failure()
                return bot.readies >= 1 and bot.get_guild(GUILD_ID) is not None

            await until(ready, "READY and GUILD_CREATE in discord.py")
            await scenario(session)
            # Whatever the scenario did, the emulator refused none of discord.py's requests.
            requests = (await emulator.call("requests"))["requests"]
            refused = [r for r in requests if r["status"] >= 400]
            assert not refused, f"the emulator refused discord.py's requests: {refused}"
        finally:
            if bot is not None:
                await bot.close()
            if runner is not None:
                await asyncio.wait_for(asyncio.gather(runner, return_exceptions=True), GENEROUS_TIMEOUT)
            await emulator.stop()

    # INTEROP_DISCORD_LOG=DEBUG shows every payload discord.py sends and receives.
    logging.getLogger("discord").setLevel(os.environ.get("INTEROP_DISCORD_LOG", "INFO"))
    asyncio.run(main())
