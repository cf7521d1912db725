import CaseportCore
import Foundation
import XCTest

/// E3's streamed export: the ZIP written entry by entry must be one that independent readers accept —
/// Python's zipfile (CRC checked on read) and Info-ZIP's `unzip -t` when installed.
final class ZipStreamWriterTests: XCTestCase {
    func testCRC32MatchesTheKnownCheckValue() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        // In pieces, as a stream is counted.
        XCTAssertEqual(CRC32.update(CRC32.checksum(Array("12345".utf8)), Array("6789".utf8)), 0xCBF4_3926)
    }

    func archive() throws -> [UInt8] {
        var zip = ZipStreamWriter(modified: Date(timeIntervalSince1970: 1_780_000_000))
        var out: [UInt8] = []
        out += try zip.entry("README.txt", Array("Personal data of åsa@example.com\n".utf8))
        out += try zip.entry("cases.json", Array("[{\"number\":1042}]".utf8))
        out += try zip.begin("files/7-köksbild.jpg")
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for start in stride(from: 0, to: big.count, by: 65_536) {
            let chunk = Array(big[start..<min(start + 65_536, big.count)])
            try zip.append(chunk)
            out += chunk
        }
        out += try zip.end()
        out += try zip.entry("empty.txt", [])
        out += try zip.finish()
        return out
    }

    func testPythonsZipfileReadsEveryEntryWithItsCRC() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zip-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(try archive()).write(to: url)
        let script = """
            import sys, zipfile, zlib
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            names = z.namelist()
            print("|".join(names))
            big = z.read("files/7-köksbild.jpg")
            assert len(big) == 300000 and big == bytes((i * 31) & 0xFF for i in range(300000))
            assert z.read("cases.json") == b'[{"number":1042}]'
            assert z.read("empty.txt") == b''
            assert z.getinfo("README.txt").date_time[0] == 2026
            """
        let result = try run("/usr/bin/env", ["python3", "-c", script, url.path])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.trimmingCharacters(in: .whitespacesAndNewlines),
                       "README.txt|cases.json|files/7-köksbild.jpg|empty.txt")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unzip") else {
            print("unzip is not installed; skipped `unzip -t`")
            return
        }
        let unzip = try run("/usr/bin/unzip", ["-t", url.path])
        XCTAssertEqual(unzip.status, 0, unzip.output)
        XCTAssertTrue(unzip.output.contains("No errors detected"), unzip.output)
    }

    func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testPolicyJSONUsesTheKindsNamesAndKeepsEverythingByDefault() throws {
        var policy = RetentionPolicy()
        XCTAssertTrue(policy.active.isEmpty)
        policy.rules[.files] = .init(action: .delete, days: 30)
        let json = String(decoding: try JSONEncoder().encode(policy), as: UTF8.self)
        XCTAssertTrue(json.contains("\"files\":{"), json)
        XCTAssertEqual(try JSONDecoder().decode(RetentionPolicy.self, from: Data(json.utf8)), policy)
        XCTAssertEqual(policy.active.map(\.0), [.files])
        XCTAssertEqual(RetentionPolicy.Kind.allCases.map(\.rawValue), ["contact_details", "message_texts", "files", "chat"])
    }
}
