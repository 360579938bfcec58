@testable import DAVE
import Testing

/// The displayable code algorithm against the examples of Discord's own implementation (libdave's
/// JavaScript tests), and its refusals.
struct DisplayableCodeTests {
    @Test func knownCodes() throws {
        #expect(try DisplayableCode.make([0xaa, 0xbb, 0xcc, 0xdd, 0xee], length: 5, groupSize: 5) == "05870")
        let long: [UInt8] = [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0xcc, 0xdd, 0xee, 0xff, 0xaa,
                             0xdd, 0xee, 0xff, 0xaa, 0xbb, 0xee, 0xff, 0xaa, 0xbb, 0xcc, 0xff, 0xaa, 0xbb, 0xcc, 0xdd]
        #expect(try DisplayableCode.make(long, length: 30, groupSize: 5) == "058708105556138052119572494877")
    }

    @Test func refusals() {
        #expect(throws: DAVEError.self) { try DisplayableCode.make([1, 2, 3], length: 5, groupSize: 5) }
        #expect(throws: DAVEError.self) { try DisplayableCode.make([UInt8](repeating: 0, count: 8), length: 4, groupSize: 3) }
        #expect(throws: DAVEError.self) { try DisplayableCode.make([UInt8](repeating: 0, count: 2048), length: 1024, groupSize: 8) }
    }
}
