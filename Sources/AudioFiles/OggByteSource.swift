import Foundation

/// Where an Ogg reader gets its bytes: a file read in chunks, or bytes already in memory.
enum OggByteSource {
    case file(FileHandle)
    case memory([UInt8], position: Int)

    static let chunkSize = 64 * 1024

    /// Up to `chunkSize` more bytes; empty at end of input.
    mutating func read() throws(OggOpusError) -> [UInt8] {
        switch self {
        case .file(let handle):
            do {
                return [UInt8](try handle.read(upToCount: Self.chunkSize) ?? Data())
            } catch {
                throw .io(String(describing: error))
            }
        case .memory(let bytes, let position):
            let end = min(bytes.count, position + Self.chunkSize)
            self = .memory(bytes, position: end)
            return Array(bytes[position..<end])
        }
    }
}
