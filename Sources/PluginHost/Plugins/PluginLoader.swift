import BotHostCore
import Foundation
import PluginAPI
import Synchronization

/// What a plugin says about itself, copied out of its descriptor.
public struct PluginDescriptor: @unchecked Sendable {
    public let name: String
    public let version: String
    public let description: String
    public let abiMajor: UInt32
    public let abiMinor: UInt32
    public let gatewayIntents: UInt64
    /// The names it owns besides its own (descriptor `owned_names`, minor 4; empty before).
    public let ownedNames: [String]
    package let initFn: bothost_init_fn?
    package let startFn: bothost_start_fn?
    package let stopFn: bothost_stop_fn?
    package let configChangedFn: bothost_config_changed_fn?
}

/// A library that passed every check and can be instantiated.
public struct LoadedLibrary: Sendable {
    /// The path the operator named.
    public let path: String
    /// The path actually dlopen'ed (a fresh copy when the file changed since an earlier load).
    public let loadedPath: String
    public let descriptor: PluginDescriptor
    /// The child process an isolated plugin runs in; nil for a library dlopen'ed in the host.
    package var process: PluginProcess? = nil
}

/// Why a library was refused: the file, the cause and what to do about it.
public struct PluginRefusal: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case missingFile, notSharedObject, dlopenFailed, missingEntry, nullDescriptor, badDescriptor
        case abiMajorMismatch, abiMinorTooNew, invalidName, nameMismatch, duplicateName, nameConflict
        case initFailed, startFailed
    }
    public let kind: Kind
    public let file: String
    public let cause: String
    public let fix: String

    public var description: String { "plugin \(file) refused: \(cause). Fix: \(fix)" }
}

/// Loads plugin libraries: dlopen (RTLD_NOW | RTLD_LOCAL), find the entry, check the descriptor.
/// Libraries are never dlclose'd: Swift code cannot be unmapped safely, so a refused or disabled
/// library simply stays mapped.
public enum PluginLoader {
    public static let hostABIMajor = UInt32(BOTHOST_ABI_MAJOR)
    public static let hostABIMinor = UInt32(BOTHOST_ABI_MINOR)

    /// Identity of each file we dlopen'ed, so that a changed file is loaded under a fresh path
    /// (dlopen of the same path returns the old image, and overwriting a mapped file crashes).
    private struct FileIdentity: Equatable { let device: UInt64; let inode: UInt64; let size: Int64; let mtimeNs: Int64 }
    private static let opened = Mutex<[String: (identity: FileIdentity, loadedPath: String)]>([:])
    private static let copyCounter = Atomic<Int>(0)

    public static func load(path: String, api: UnsafePointer<bothost_host_api>) -> Result<LoadedLibrary, PluginRefusal> {
        func refuse(_ kind: PluginRefusal.Kind, _ cause: String, _ fix: String) -> Result<LoadedLibrary, PluginRefusal> {
            .failure(PluginRefusal(kind: kind, file: path, cause: cause, fix: fix))
        }

        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            return refuse(.missingFile, "no such file",
                          "build the plugin, or correct its \"library\" in plugins.json (relative names are looked up in the plugins folder)")
        }
        guard let magic = FileHandle(forReadingAtPath: path).flatMap({ handle in
            defer { try? handle.close() }
            return try? handle.read(upToCount: 4)
        }), Array(magic) == [0x7F, 0x45, 0x4C, 0x46] else {
            return refuse(.notSharedObject, "not a shared library (no ELF header)",
                          "point \"library\" at the .so the plugin's build produced")
        }

        let loadPath: String
        switch pathToOpen(path, info) {
        case .success(let p): loadPath = p
        case .failure(let failure): return refuse(.dlopenFailed, failure.reason, "make sure the temporary folder is writable")
        }

        _ = dlerror()
        guard let handle = dlopen(loadPath, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            return refuse(.dlopenFailed, "dlopen failed: \(reason)",
                          "build it for this machine (\(machineName())) and install the libraries it needs")
        }
        guard let symbol = dlsym(handle, BOTHOST_PLUGIN_ENTRY_SYMBOL) else {
            return refuse(.missingEntry, "it exports no \(BOTHOST_PLUGIN_ENTRY_SYMBOL) function",
                          "declare the entry with BOTHOST_PLUGIN_ENTRY(...) in C, or @_cdecl(\"bothost_plugin_entry\") in Swift")
        }
        let entry = unsafeBitCast(symbol, to: bothost_plugin_entry_fn.self)
        guard let raw = entry(api) else {
            return refuse(.nullDescriptor, "\(BOTHOST_PLUGIN_ENTRY_SYMBOL) returned NULL",
                          "return a pointer to a static bothost_plugin_descriptor")
        }
        return readDescriptor(raw, hostMinor: api.pointee.abi_minor).flatMap { descriptor in
            .success(LoadedLibrary(path: path, loadedPath: loadPath, descriptor: descriptor))
        }.mapError { PluginRefusal(kind: $0.kind, file: path, cause: $0.cause, fix: $0.fix) }
    }

    /// Copies min(struct_size, sizeof) of the plugin's descriptor into zeroed memory and checks it.
    /// `hostMinor` is the minor of the table the plugin was given: its descriptor's abi_minor is the
    /// lowest minor it requires, and the host loads it when it offers at least that (ABI rule 2).
    package static func readDescriptor(_ raw: UnsafePointer<bothost_plugin_descriptor>, hostMinor: UInt32) -> Result<PluginDescriptor, PluginRefusal> {
        func refuse(_ kind: PluginRefusal.Kind, _ cause: String, _ fix: String) -> Result<PluginDescriptor, PluginRefusal> {
            .failure(PluginRefusal(kind: kind, file: "", cause: cause, fix: fix))
        }
        let declared = Int(UnsafeRawPointer(raw).load(as: UInt32.self))
        let minimum = MemoryLayout<bothost_plugin_descriptor>.offset(of: \bothost_plugin_descriptor.gateway_intents)! + 8
        guard declared >= minimum, declared <= 1 << 16 else {
            return refuse(.badDescriptor, "its descriptor declares struct_size \(declared); at least \(minimum) is needed",
                          "set .struct_size = sizeof(bothost_plugin_descriptor)")
        }
        var d = bothost_plugin_descriptor()
        withUnsafeMutableBytes(of: &d) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: min(declared, target.count)))
        }
        guard d.abi_major == hostABIMajor else {
            return refuse(.abiMajorMismatch,
                          "it requires plugin ABI \(d.abi_major).\(d.abi_minor), this host speaks ABI \(hostABIMajor).\(hostMinor) (the major must match)",
                          "rebuild the plugin against this host's bothost_plugin.h (ABI \(hostABIMajor).x), or run a host that speaks ABI \(d.abi_major)")
        }
        guard d.abi_minor <= hostMinor else {
            return refuse(.abiMinorTooNew,
                          "it requires plugin ABI \(d.abi_major).\(d.abi_minor), newer than this host's \(hostABIMajor).\(hostMinor)",
                          "upgrade the host; or, if the plugin can do without what minors after \(hostMinor) added, build it with "
                          + "#define BOTHOST_REQUIRED_MINOR \(hostMinor) before including bothost_plugin.h (checking newer calls with BOTHOST_API_HAS)")
        }
        guard let name = boundedCString(d.name, limit: 256) else {
            return refuse(.badDescriptor, "its descriptor has no name (or it is not UTF-8)", "set .name to a string like \"my-plugin\"")
        }
        guard PluginEntry.isValidName(name) else {
            return refuse(.invalidName, "its name \"\(ControlCharacters.escaped(name))\" is not 1–64 characters of a-z, 0-9, '_' or '-'",
                          "rename it in the descriptor, e.g. \"\(suggestedName(name))\"")
        }
        let ownedNames: [String]
        switch readOwnedNames(d.owned_names, pluginName: name) {
        case .success(let names): ownedNames = names
        case .failure(let refusal): return .failure(refusal)
        }
        return .success(PluginDescriptor(
            name: name,
            // Shown in logs and the console: control characters are escaped once, here.
            version: ControlCharacters.escaped(boundedCString(d.version, limit: 256) ?? ""),
            description: ControlCharacters.escaped(boundedCString(d.description, limit: 4096) ?? ""),
            abiMajor: d.abi_major, abiMinor: d.abi_minor,
            gatewayIntents: d.gateway_intents,
            ownedNames: ownedNames,
            initFn: d.`init`, startFn: d.start, stopFn: d.stop, configChangedFn: d.config_changed))
    }

    /// The descriptor's NULL-terminated `owned_names` (zero — none — when an older plugin's
    /// struct_size ends before it), checked: at most 64 valid names.
    private static func readOwnedNames(_ list: UnsafePointer<UnsafePointer<CChar>?>?, pluginName: String) -> Result<[String], PluginRefusal> {
        guard let list else { return .success([]) }
        let maximum = 64
        var names: [String] = []
        for index in 0...maximum {
            guard let entry = list[index] else { return .success(names) }
            guard index < maximum else { break }
            guard let name = boundedCString(entry, limit: 256), NameOwnership.isValidName(name) else {
                let shown = boundedCString(entry, limit: 256).map { "\"\(ControlCharacters.escaped($0))\"" } ?? "that is not UTF-8"
                return .failure(PluginRefusal(kind: .badDescriptor, file: "",
                    cause: "its descriptor's owned_names[\(index)] is \(shown), not a name of dot-separated a-z, 0-9, '_' or '-' (up to 128 characters)",
                    fix: "correct owned_names in the descriptor, e.g. \"voice\" or \"games.lobby\""))
            }
            if name != pluginName && !names.contains(name) { names.append(name) }
        }
        return .failure(PluginRefusal(kind: .badDescriptor, file: "",
            cause: "its descriptor's owned_names lists more than \(maximum) names (or is not NULL-terminated)",
            fix: "end owned_names with NULL, and declare at most \(maximum) names"))
    }

    private static func suggestedName(_ name: String) -> String {
        let mapped = name.lowercased().map { c -> Character in
            (c.isLetter && c.isASCII) || (c.isNumber && c.isASCII) || c == "_" || c == "-" ? c : "-"
        }
        let trimmed = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return String((trimmed.isEmpty ? "plugin" : trimmed).prefix(64))
    }

    /// The path to dlopen: the file itself the first time, a fresh copy if it changed since.
    private static func pathToOpen(_ path: String, _ info: stat) -> Result<String, CopyFailure> {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                                    mtimeNs: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
        let previous = opened.withLock { table -> (identity: FileIdentity, loadedPath: String)? in
            let old = table[real]
            if old == nil { table[real] = (identity, real) }
            return old
        }
        guard let previous else { return .success(real) }
        if previous.identity == identity { return .success(previous.loadedPath) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bothost-reload-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let n = copyCounter.add(1, ordering: .relaxed).newValue
            let copy = directory.appendingPathComponent("\(n)-" + URL(fileURLWithPath: real).lastPathComponent)
            try FileManager.default.copyItem(atPath: real, toPath: copy.path)
            opened.withLock { $0[real] = (identity, copy.path) }
            return .success(copy.path)
        } catch {
            return .failure(CopyFailure(reason: "the file changed since it was loaded and could not be copied to a fresh path: \(error)"))
        }
    }

    private struct CopyFailure: Error { let reason: String }

    private static func machineName() -> String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }
}
