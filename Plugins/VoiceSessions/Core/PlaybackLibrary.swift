import Foundation

/// The one folder `/voice play` reads from. A name is a plain file name in that folder: separators,
/// `..`, hidden files and unknown extensions are refused before the disk is touched, and a name that
/// resolves (through a symbolic link) outside the folder is refused too.
public struct PlaybackLibrary: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Ogg Opus: played packet by packet, without re-encoding.
        case oggOpus
        /// WAV: decoded to 48 kHz stereo PCM, which the host encodes.
        case wav
    }

    public static let extensions: [String: Kind] = ["opus": .oggOpus, "ogg": .oggOpus, "oga": .oggOpus, "wav": .wav]

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// Checks a name as typed by a user, without touching the disk.
    public static func validate(_ name: String) throws(PlaybackRefusal) -> Kind {
        guard !name.isEmpty, name.utf8.count <= 255 else { throw .badName("a file name is 1 to 255 bytes long") }
        guard !name.contains("/"), !name.contains("\\") else {
            throw .badName("give a file name only, without a folder: files are played from the configured folder only")
        }
        guard name != ".", name != "..", !name.hasPrefix(".") else {
            throw .badName("names starting with \".\" are not played (no parent folders, no hidden files)")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .badName("the name contains control characters")
        }
        let ext = (name as NSString).pathExtension.lowercased()
        guard let kind = extensions[ext] else {
            throw .unsupportedType("only Ogg Opus (.opus, .ogg, .oga) and WAV (.wav) files are played")
        }
        return kind
    }

    /// The file's resolved path in the folder, after `validate`; refuses what is missing, is not a
    /// regular file, is larger than `maxBytes`, or resolves outside the folder.
    public func resolve(_ name: String, maxBytes: Int64) throws(PlaybackRefusal) -> (path: String, kind: Kind) {
        let kind = try Self.validate(name)
        let folder = URL(fileURLWithPath: directory).resolvingSymlinksInPath().standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .noFolder(directory)
        }
        let file = folder.appendingPathComponent(name).resolvingSymlinksInPath().standardizedFileURL
        guard file.deletingLastPathComponent().path == folder.path else { throw .outsideFolder(name) }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path) else {
            throw .notFound(name, available: available())
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else { throw .notFound(name, available: available()) }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        guard size <= maxBytes else { throw .tooLarge(name, bytes: size, limit: maxBytes) }
        return (file.path, kind)
    }

    /// Playable file names in the folder, sorted (at most `limit`).
    public func available(limit: Int = 25) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return Array(names.filter { (try? Self.validate($0)) != nil }.sorted().prefix(limit))
    }
}

/// Why a file is not played; `description` is the message for the user.
public enum PlaybackRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case badName(String)
    case unsupportedType(String)
    case noFolder(String)
    case outsideFolder(String)
    case notFound(String, available: [String])
    case tooLarge(String, bytes: Int64, limit: Int64)

    public var description: String {
        switch self {
        case .badName(let why): "That file name is refused: \(why)."
        case .unsupportedType(let why): "That file type is refused: \(why)."
        case .noFolder(let folder): "The playback folder \(folder) does not exist; an operator sets playback.directory in plugins.json."
        case .outsideFolder(let name): "\(name) points outside the playback folder and is refused."
        case .notFound(let name, let available):
            available.isEmpty
                ? "There is no file named \(name) in the playback folder, which holds no playable files."
                : "There is no file named \(name) in the playback folder. Available: \(available.joined(separator: ", "))."
        case .tooLarge(let name, let bytes, let limit):
            "\(name) is \(bytes) bytes, over the playback limit of \(limit) bytes (playback.maxFileBytes)."
        }
    }
}
