import CaseportCore
import Foundation
import XCTest

/// C8: only strict `#rrggbb` ever becomes CSS; old settings without branding keep working.
final class BrandingTests: XCTestCase {
    func testOnlyStrictHexColoursAreAccepted() {
        XCTAssertEqual(Branding.normalisedColour("#A0b1C2"), "#a0b1c2")
        XCTAssertEqual(Branding.normalisedColour("  #ffffff "), "#ffffff")
        for bad in ["", "#fff", "ffffff", "#fffffff", "#gggggg", "#ffff ff", "red", "#12345;", "#١٢٣٤٥٦", "#ＡＢＣＤＥＦ",
                    "#123456\n}", "var(--x)", "#12345\u{0}"] {
            XCTAssertNil(Branding.normalisedColour(bad), bad)
        }
    }

    func testDeclarationsSkipAnythingThatIsNotAColour() {
        var branding = Branding()
        branding.colours = ["menu-bg": "#AA0000", "text": "red;}body{display:none", "unknown": "#000000"]
        XCTAssertEqual(branding.declarations(), "--menu-bg:#aa0000;")
        XCTAssertEqual(branding.colour(.text), "#1f2933", "an invalid stored value falls back to the default")
    }

    func testSettingsSavedBeforeBrandingExistedStillDecode() throws {
        let old = #"{"smsEnabled":true,"extraListColumns":["category"]}"#
        let settings = try JSONDecoder().decode(PortalSettings.self, from: Data(old.utf8))
        XCTAssertTrue(settings.smsEnabled)
        XCTAssertFalse(settings.inquiriesFirst)
        XCTAssertEqual(settings.branding, Branding())
        XCTAssertNil(settings.warrantyCategoryId)
        var changed = settings
        changed.inquiriesFirst = true
        changed.branding.colours["heading"] = "#123456"
        changed.branding.revision = 3
        let again = try JSONDecoder().decode(PortalSettings.self, from: JSONEncoder().encode(changed))
        XCTAssertEqual(again, changed)
    }
}
