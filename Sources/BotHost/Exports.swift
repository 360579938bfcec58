// `BotHost` is the library users import: the composed host, and through it every layer below.
@_exported import BotHostCore
@_exported import DiscordClient
@_exported import PluginHost
