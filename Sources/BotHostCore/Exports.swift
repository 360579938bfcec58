// The core's JSON: whoever imports the core reads and writes JSON the same way.
@_exported import BotHostJSON
