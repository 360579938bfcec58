import BotHostJSON
import Foundation

/// Edits plugins.json for the CLI. Edits work on the parsed JSON tree, not the model, so every
/// other key, the key order, number spellings and plugin configs stay exactly as written; the file
/// is re-rendered pretty and replaced atomically, so a running host's watcher never sees half a file.
public enum PluginsFileEditor {
    /// Sets one entry's "enabled". An already matching value leaves the file untouched.
    public static func setEnabled(_ name: String, _ enabled: Bool, in path: String) throws(ConfigError) {
        let target = resolved(path)
        guard let bytes = try PluginsFileLoader.readBytes(target) else {
            throw ConfigError(file: path, path: "", problem: "the file does not exist",
                              fix: #"create it, e.g. containing {"plugins": []}, or point to another file with --config PATH"#)
        }
        let tree = try PluginsFileLoader.parseTree(bytes, file: path)
        // Refuse to edit a file that is already invalid: the operator must see that problem first.
        let model = try PluginsFileLoader.decode(tree, file: path)
        guard let index = model.plugins.firstIndex(where: { $0.name == name }) else {
            throw unknownName(name, in: model, file: path)
        }
        if model.plugins[index].enabled == enabled { return }
        guard var root = tree.objectValue, var plugins = root["plugins"]?.arrayValue,
              var entry = plugins[index].objectValue else {
            throw ConfigError(file: path, path: "$.plugins[\(index)]", problem: "the entry is not an object", fix: "fix the file by hand")
        }
        entry["enabled"] = .bool(enabled)
        plugins[index] = .object(entry)
        root["plugins"] = .array(plugins)
        try write(JSONValue.object(root).prettyText, to: target, shownAs: path)
    }

    /// Appends an entry; refuses a name that is already present. Creates the file when missing.
    public static func addPlugin(_ entry: PluginEntry, in path: String) throws(ConfigError) {
        let target = resolved(path)
        var root = JSONObject()
        if let bytes = try PluginsFileLoader.readBytes(target) {
            let tree = try PluginsFileLoader.parseTree(bytes, file: path)
            let model = try PluginsFileLoader.decode(tree, file: path)
            if let existing = model.plugins.firstIndex(where: { $0.name == entry.name }) {
                throw ConfigError(file: path, path: "$.plugins[\(existing)].name",
                                  problem: "a plugin named \"\(entry.name)\" is already configured",
                                  fix: "choose another name, or edit the existing entry")
            }
            root = tree.objectValue ?? JSONObject()
        }
        var plugins = root["plugins"]?.arrayValue ?? []
        plugins.append(PluginsFileLoader.encode(entry))
        root["plugins"] = .array(plugins)
        let updated = JSONValue.object(root)
        // The new entry goes through the same validation as the file (name, library, config).
        _ = try PluginsFileLoader.decode(updated, file: path)
        try write(updated.prettyText, to: target, shownAs: path)
    }

    private static func unknownName(_ name: String, in model: PluginsFile, file: String) -> ConfigError {
        let names = model.plugins.map(\.name)
        let fix: String
        if names.isEmpty {
            fix = "the file configures no plugins yet; add an entry to \"plugins\" first"
        } else if let guess = Suggestion.closest(to: name, among: names) {
            fix = "did you mean \"\(guess)\"? Configured plugins: \(names.joined(separator: ", "))"
        } else {
            fix = "use one of the configured plugins: \(names.joined(separator: ", "))"
        }
        return ConfigError(file: file, path: "$.plugins", problem: "no plugin named \"\(name)\"", fix: fix)
    }

    /// Edits go to the real file when plugins.json is a symlink (renaming over the link would
    /// replace it with a copy).
    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    // MARK: atomic replace

    /// Writes a temp file in the same folder, fsyncs it, renames it over `path` and fsyncs the
    /// folder: readers see the old file or the new one, never a mix, even across a crash.
    private static func write(_ text: String, to path: String, shownAs shown: String) throws(ConfigError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temp = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ action: String, _ code: Int32) -> ConfigError {
            ConfigError(file: shown, path: "", problem: "cannot \(action): \(String(cString: strerror(code)))",
                        fix: "make sure \(folder) is writable by the user running bothost")
        }
        // Keep the file's permissions (it may be group-readable on purpose).
        var info = stat()
        let mode: mode_t = stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0o644
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("create a temporary file in \(folder)", errno) }
        var written = 0
        let bytes = Array(text.utf8)
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                close(fd)
                unlink(temp)
                throw failure("write \(temp)", code)
            }
            written += count
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            unlink(temp)
            throw failure("flush \(temp) to disk", code)
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw failure("replace \(path)", code)
        }
        // Make the rename itself durable; failing here is harmless (the new file is in place).
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            _ = fsync(folderFD)
            close(folderFD)
        }
    }
}
