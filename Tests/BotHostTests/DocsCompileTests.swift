import Foundation
import Testing

/// Every ```c block in the ABI header's comments and in the README is a complete file that compiles
/// as C99 and as C++17 with warnings as errors, so the examples cannot drift from the header.
@Suite struct DocsCompileTests {
    struct Block: CustomStringConvertible, Sendable {
        let file: String
        let line: Int
        let code: String
        var description: String { "\(file):\(line)" }
    }

    static let header = "Sources/PluginAPI/include/bothost_plugin.h"

    /// The blocks of one file. In the header they sit inside comments, each line prefixed " * ".
    static func blocks(in relativePath: String) -> [Block] {
        let path = Fixtures.packageRoot.appendingPathComponent(relativePath).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        let inComment = relativePath.hasSuffix(".h")
        var blocks: [Block] = []
        var current: (line: Int, lines: [String])?
        for (number, raw) in text.components(separatedBy: "\n").enumerated() {
            var line = raw
            if inComment {
                let trimmed = raw.drop { $0 == " " }
                guard trimmed.hasPrefix("*"), !trimmed.hasPrefix("*/") else {
                    if current != nil { current?.lines.append(raw) }
                    continue
                }
                line = String(trimmed.dropFirst().prefix(1) == " " ? trimmed.dropFirst(2) : trimmed.dropFirst())
            }
            let fence = line.trimmingCharacters(in: .whitespaces)
            if let open = current {
                if fence == "```" {
                    blocks.append(Block(file: relativePath, line: open.line, code: open.lines.joined(separator: "\n") + "\n"))
                    current = nil
                } else {
                    current?.lines.append(line)
                }
            } else if fence == "```c" {
                current = (number + 1, [])
            }
        }
        return blocks
    }

    static let allBlocks: [Block] = blocks(in: header) + blocks(in: "README.md")

    @Test func theDocsHaveExamplesToCompile() {
        // The minimal plugin, the one for older hosts and the intents example; the README's plugin.
        #expect(Self.blocks(in: Self.header).count >= 3)
        #expect(Self.blocks(in: "README.md").count >= 1)
    }

    @Test(arguments: allBlocks)
    func compilesAsC99AndCxx17(_ block: Block) throws {
        let directory = Fixtures.temporaryDirectory("docs")
        let source = directory.appendingPathComponent("example.c")
        try block.code.write(to: source, atomically: true, encoding: .utf8)
        let include = Fixtures.headerDirectory
        let compilers: [(String, [String])] = [
            ("C99", ["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-fPIC", "-I", include, "-c", "-o",
                     directory.appendingPathComponent("c.o").path, source.path]),
            ("C++17", ["g++", "-std=c++17", "-x", "c++", "-Wall", "-Wextra", "-Werror", "-fPIC", "-I", include, "-c", "-o",
                       directory.appendingPathComponent("cxx.o").path, source.path]),
        ]
        for (language, arguments) in compilers {
            let (status, output) = try Fixtures.execute("/usr/bin/env", arguments)
            #expect(status == 0, "the example at \(block) does not compile as \(language):\n\(output)")
        }
    }
}
