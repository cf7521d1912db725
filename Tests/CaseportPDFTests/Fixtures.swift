@testable import CaseportPDF
import Foundation
import XCTest

/// The bundled DejaVu fonts, read once for all tests.
enum Fixtures {
    static let fontDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Resources/Fonts")
    static let fonts: ReportFonts = try! ReportFonts(directory: fontDirectory)
}

/// Runs a command-line tool (qpdf, pdffonts, pdftotext) and returns its output; nil when the tool
/// is not installed.
enum PDFTools {
    static func path(_ tool: String) -> String? {
        for directory in ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Skips the test with a clear message when any of the tools is missing (CI installs them).
    static func require(_ tools: [String] = ["qpdf", "pdffonts", "pdftotext"]) throws {
        let missing = tools.filter { path($0) == nil }
        if !missing.isEmpty {
            throw XCTSkip("not installed: \(missing.joined(separator: ", ")) (apt-get install poppler-utils qpdf; CI has them)")
        }
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path(tool)!)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func write(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("caseport-\(UUID().uuidString).pdf")
        try Data(bytes).write(to: url)
        return url
    }
}
