@testable import CaseportWeb
import LeafKit
import XCTest

/// `escapedHTML` writes exactly what LeafKit's `htmlEscaped()` (a template's `#(…)`) writes: for the five
/// characters it replaces, next to each other and at either end, and for random text of ASCII, Nordic
/// letters, combining marks, emoji and control characters.
final class HTMLEscapingTests: XCTestCase {
    func testEscapedHTMLIsLeafsEscaping() {
        let fixed = ["", "a", "&", "<script>alert('x')</script>", "\"quoted\" & 'single'", "<<>>&&\"\"''",
                     "Läckage i källaren, 3 < 4 > 2", "e\u{301}&", "👩‍🔧<b>", "&amp; already", "tab\there\nnewline"]
        let alphabet: [Character] = Array("abcXYZ019 &<>\"'åäöÆØ€") + ["e\u{301}", "👩‍🔧", "\u{0}", "\u{7F}", "\u{FEFF}", "\r\n"]
        var generator = SystemRandomNumberGenerator()
        let random = (0..<3_000).map { _ in
            String((0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
        for text in fixed + random {
            XCTAssertEqual(text.escapedHTML, text.htmlEscaped(), "\(text.debugDescription)")
        }
        XCTAssertEqual("<a href='x'>&</a>".escapedHTML, "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;")
    }
}
