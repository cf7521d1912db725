@testable import CaseportCore
@testable import CaseportWeb
import Foundation
import XCTest

/// `PortalCaseController.formatSize` writes what a `NumberFormatter` with one fraction digit wrote (it
/// made one per file shown, issue 17), in every language, for sizes across all three units.
final class FileSizeTextTests: XCTestCase {
    func testSizesAreWrittenAsTheNumberFormatterWroteThem() {
        var generator = SystemRandomNumberGenerator()
        let edges = [0, 1, 1023, 1024, 1025, 1536, 1587, 10_240, 1_048_575, 1_048_576, 1_572_864, 31_457_280, 31_457_281]
        let sizes = edges + (0..<3_000).map { _ in Int.random(in: 0...40_000_000, using: &generator) }
        for language in Language.allCases {
            let formatter = NumberFormatter()
            formatter.locale = language.locale
            formatter.maximumFractionDigits = 1
            for bytes in sizes {
                let expected: String
                if bytes < 1024 { expected = "\(bytes) B" }
                else if bytes < 1_048_576 { expected = formatter.string(from: NSNumber(value: Double(bytes) / 1024))! + " kB" }
                else { expected = formatter.string(from: NSNumber(value: Double(bytes) / 1_048_576))! + " MB" }
                XCTAssertEqual(PortalCaseController.formatSize(bytes, language: language), expected, "\(bytes) bytes in \(language)")
            }
        }
        XCTAssertEqual(PortalCaseController.formatSize(1536, language: .sv), "1,5 kB")
        XCTAssertEqual(PortalCaseController.formatSize(1536, language: .en), "1.5 kB")
    }
}
