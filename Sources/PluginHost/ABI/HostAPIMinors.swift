import PluginAPI

/// The host API table as a host of an older minor offers it: the same functions, but a struct_size
/// that ends where the next minor's slots begin, those slots NULL and abi_minor lowered. The
/// loader compares a plugin's required minor with the table it hands out, so a host running with
/// an older table accepts and serves exactly what that older host would have (rule 2 of the ABI).
/// Production uses the current minor; tests run hosts that offer an older one to prove that
/// plugins requiring less load and degrade as documented.
extension HostAPI {
    /// The first slot of each minor after 0, in the order the header appends them. A new minor adds
    /// its first slot here (a test checks that every minor up to BOTHOST_ABI_MINOR has one).
    package static let firstSlotOfMinor: [UInt32: Int] = [
        1: slotOffset(\.discord_request),
        2: slotOffset(\.component_register),
        3: slotOffset(\.voice_join),
        4: slotOffset(\.json_get_string),
    ]

    /// One table per minor from 0 to the current one, built once and never freed.
    nonisolated(unsafe) private static let tablesByMinor: [UnsafePointer<bothost_host_api>] =
        (0...PluginLoader.hostABIMinor).map { minor in
            minor == PluginLoader.hostABIMinor ? table : makeTable(offering: minor)
        }

    /// The table a host offering `minor` hands out (the current table for the current minor or above).
    package static func offeredTable(minor: UInt32) -> UnsafePointer<bothost_host_api> {
        tablesByMinor[Int(min(minor, PluginLoader.hostABIMinor))]
    }

    /// The byte count of the table of a host that offers `minor`.
    package static func tableSize(offering minor: UInt32) -> Int {
        firstSlotOfMinor[minor + 1] ?? MemoryLayout<bothost_host_api>.size
    }

    private static func makeTable(offering minor: UInt32) -> UnsafePointer<bothost_host_api> {
        let older = UnsafeMutablePointer<bothost_host_api>.allocate(capacity: 1)
        older.initialize(to: table.pointee)
        let size = tableSize(offering: minor)
        older.pointee.struct_size = UInt32(size)
        older.pointee.abi_minor = minor
        // Slots the older host does not have are NULL, so even a plugin that skips the size check
        // finds nothing there.
        UnsafeMutableRawPointer(older).advanced(by: size)
            .initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<bothost_host_api>.size - size)
        return UnsafePointer(older)
    }

    private static func slotOffset<T>(_ slot: KeyPath<bothost_host_api, T>) -> Int {
        guard let offset = MemoryLayout<bothost_host_api>.offset(of: slot) else {
            preconditionFailure("bothost_host_api slots are stored properties")
        }
        return offset
    }
}
