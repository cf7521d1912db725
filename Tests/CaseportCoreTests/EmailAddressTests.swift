import CaseportCore
import XCTest

/// Issue 9, point 4: an address is the one thing a user types that goes raw into an SMTP command and a
/// mail header, so the rule refuses anything that could end either.
final class EmailAddressTests: XCTestCase {
    func testOrdinaryAddressesPass() {
        for address in ["anna@solglantan.example", "a.b-c+tag@mail.example.se", "o'brien@example.ie",
                        "x@sub-1.example.co.uk", "UPPER@Example.COM", "reply+abc_123@portal.example.com"] {
            XCTAssertTrue(EmailAddress.isValid(address), address)
        }
    }

    func testAnythingThatCouldEndACommandOrHeaderIsRefused() {
        let refused = [
            "evil@x.se>\r\nRCPT TO:<victim@y.se", "evil@x.se\r\nBcc:victim@y.se", "evil@x.se\nBcc:v@y.se",
            "evil@x.se\rX", "<evil@x.se>", "evil@x.se>", "ev il@x.se", "evil@x .se", "\"quoted\"@x.se",
            "evil@[127.0.0.1]", "evil@x.se\u{0}", "evil@x.se\t", "a@b@c.se", "a,b@c.se", "a;b@c.se", "a\\b@c.se",
            "åsa@example.se", "a@exämple.se",
        ]
        for address in refused { XCTAssertFalse(EmailAddress.isValid(address), address.debugDescription) }
    }

    func testShapeRules() {
        for address in ["", "@x.se", "a@", "a@se", "a@.se", "a@x.", "a@x..se", ".a@x.se", "a.@x.se", "a..b@x.se",
                        "a@-x.se", "a@x-.se", "a@1.2.3.4", String(repeating: "a", count: 65) + "@x.se",
                        "a@" + String(repeating: "b", count: 64) + ".se", "a@" + String(repeating: "b.", count: 130) + "se"] {
            XCTAssertFalse(EmailAddress.isValid(address), address)
        }
        XCTAssertTrue(EmailAddress.isValid(String(repeating: "a", count: 64) + "@x.se"))
    }
}
