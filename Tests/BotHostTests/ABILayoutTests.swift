@testable import BotHost
import Foundation
import Testing

/// The ABI layout check: every struct field, struct size and status/enum constant of each frozen
/// header (Tests/Fixtures/ABI/bothost_plugin_1_*.h) must be where it was in today's header. A C
/// program listing them is generated from the frozen header's own declarations and compiled once
/// against each header, so a reordered, removed or resized field fails here with its name.
@Suite struct ABILayoutTests {
    private static let abiDirectory = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/ABI")
    private static let currentHeader = Fixtures.packageRoot.appendingPathComponent("Sources/PluginAPI/include/bothost_plugin.h").path

    /// Every frozen header, oldest first.
    static let frozenHeaders: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: abiDirectory.path)) ?? []
        return names.filter { $0.hasPrefix("bothost_plugin_1_") && $0.hasSuffix(".h") }.sorted()
    }()

    @Test func theFirstReleaseIsFrozen() {
        #expect(Self.frozenHeaders.contains("bothost_plugin_1_0.h"))
    }

    @Test(arguments: frozenHeaders)
    func everyReleasedFieldKeepsItsPlaceAndSize(_ frozen: String) throws {
        let frozenPath = Self.abiDirectory.appendingPathComponent(frozen).path
        let declarations = try HeaderDeclarations(parsing: String(contentsOfFile: frozenPath, encoding: .utf8))
        #expect(declarations.structs.count >= 8, "the parser found too few structs in \(frozen)")
        #expect(declarations.structs.contains { $0.name == "bothost_host_api" && $0.fields.count > 20 })

        let directory = Fixtures.temporaryDirectory("abi-layout")
        let released = try layout(of: declarations, compiledWith: frozenPath, in: directory, label: "released")
        let current = try layout(of: declarations, compiledWith: Self.currentHeader, in: directory, label: "current")

        for (key, value) in released.sorted(by: { $0.key < $1.key }) {
            guard let now = current[key] else {
                Issue.record("\(key) of \(frozen) is missing from the current header")
                continue
            }
            if key.hasPrefix("sizeof ") {
                let name = String(key.dropFirst("sizeof ".count))
                let growable = declarations.structs.first { $0.name == name }?.fields.contains("struct_size") ?? false
                if growable {
                    #expect((Int(now) ?? 0) >= (Int(value) ?? .max), "\(name) shrank from \(value) to \(now) bytes since \(frozen)")
                } else {
                    #expect(now == value, "\(name) has no struct_size, so it may never change size: \(value) in \(frozen), \(now) now")
                }
            } else {
                #expect(now == value, "\(key) was \(value) in \(frozen), is \(now) now")
            }
        }

        // The host's table for that minor ends exactly where the frozen header's table ended.
        let minor = try #require(UInt32(frozen.dropFirst("bothost_plugin_1_".count).dropLast(2)))
        #expect(released["sizeof bothost_host_api"] == "\(HostAPI.tableSize(offering: minor))",
                "HostAPI.firstSlotOfMinor disagrees with \(frozen) about where minor \(minor) ends")
    }

    /// Compiles the listing program against `header` and returns "what" → "offset size" / "size" / "value".
    private func layout(of declarations: HeaderDeclarations, compiledWith header: String, in directory: URL,
                        label: String) throws -> [String: String] {
        let source = directory.appendingPathComponent("layout-\(label).c")
        try declarations.listingProgram(including: header).write(to: source, atomically: true, encoding: .utf8)
        let program = directory.appendingPathComponent("layout-\(label)").path
        try Fixtures.run("/usr/bin/env", ["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-o", program, source.path])
        var result: [String: String] = [:]
        for line in try Fixtures.run(program, []).split(separator: "\n") {
            // "field S.F OFFSET SIZE", "sizeof S SIZE", "enum NAME VALUE"
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count >= 3 else { continue }
            result[parts[0] + " " + parts[1]] = parts.dropFirst(2).joined(separator: " ")
        }
        return result
    }
}

/// The structs (with their field names) and enum constants a header declares, read from its text.
struct HeaderDeclarations {
    struct Struct { let name: String; let fields: [String] }
    var structs: [Struct] = []
    var enumConstants: [String] = []

    init(parsing header: String) throws {
        let code = Self.withoutComments(header)
        let structPattern = try NSRegularExpression(pattern: #"typedef\s+struct\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;"#,
                                                    options: [.dotMatchesLineSeparators])
        let whole = NSRange(code.startIndex..., in: code)
        for match in structPattern.matches(in: code, range: whole) {
            guard let name = Range(match.range(at: 3), in: code).map({ String(code[$0]) }),
                  let body = Range(match.range(at: 2), in: code).map({ String(code[$0]) }) else { continue }
            let fields = body.split(separator: ";").compactMap { Self.fieldName(String($0)) }
            structs.append(Struct(name: name, fields: fields))
        }
        let enumPattern = try NSRegularExpression(pattern: #"enum\s*\{(.*?)\}"#, options: [.dotMatchesLineSeparators])
        let constantPattern = try NSRegularExpression(pattern: #"(BOTHOST_\w+)\s*="#)
        for match in enumPattern.matches(in: code, range: whole) {
            guard let body = Range(match.range(at: 1), in: code).map({ String(code[$0]) }) else { continue }
            for constant in constantPattern.matches(in: body, range: NSRange(body.startIndex..., in: body)) {
                if let range = Range(constant.range(at: 1), in: body) { enumConstants.append(String(body[range])) }
            }
        }
    }

    /// A C program printing the offset and size of every field, the size of every struct and the
    /// value of every enum constant, as declared here, when compiled against `header`.
    func listingProgram(including header: String) -> String {
        var lines = ["#include <stddef.h>", "#include <stdio.h>", "#include \"\(header)\"", "", "int main(void) {"]
        for s in structs {
            lines.append("    printf(\"sizeof %s %zu\\n\", \"\(s.name)\", sizeof(\(s.name)));")
            for field in s.fields {
                lines.append("    printf(\"field %s %zu %zu\\n\", \"\(s.name).\(field)\", offsetof(\(s.name), \(field)), sizeof(((\(s.name) *)0)->\(field)));")
            }
        }
        for constant in enumConstants {
            lines.append("    printf(\"enum %s %lld\\n\", \"\(constant)\", (long long)\(constant));")
        }
        lines += ["    return 0;", "}", ""]
        return lines.joined(separator: "\n")
    }

    /// The field a declaration declares: the name inside "(*name)" for a function pointer, else the
    /// last identifier ("const char *name", "uint64_t id").
    private static func fieldName(_ declaration: String) -> String? {
        let text = declaration.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        if let open = text.range(of: "(*") {
            let rest = text[open.upperBound...].drop { $0 == " " }
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            return name.isEmpty ? nil : String(name)
        }
        let name = text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return name.isEmpty ? nil : String(name.reversed())
    }

    /// The header with its /* */ and // comments blanked out.
    private static func withoutComments(_ text: String) -> String {
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix("/*") {
                let end = rest.range(of: "*/")?.upperBound ?? text.endIndex
                out += " "
                index = end
            } else if rest.hasPrefix("//") {
                index = rest.firstIndex(of: "\n") ?? text.endIndex
            } else {
                out.append(text[index])
                index = text.index(after: index)
            }
        }
        return out
    }
}
