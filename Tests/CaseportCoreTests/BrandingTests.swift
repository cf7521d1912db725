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
        XCTAssertEqual(branding.declarations(), "--menu-bg:#aa0000;--menu-text:#ffffff;", "issue 12: the menu's text follows its colour")
        XCTAssertEqual(branding.colour(.text), "#1f2933", "an invalid stored value falls back to the default")
    }

    /// Issue 12: text drawn on a brand colour is white or dark, whichever contrasts more (WCAG 2).
    func testTextOnABrandColourIsTheMoreReadableOfWhiteAndDark() {
        var branding = Branding()
        branding.colours = ["accent": "#ffd700", "menu-bg": "#f5f5f5"]
        XCTAssertEqual(branding.declarations(), "--menu-bg:#f5f5f5;--menu-text:#102a43;--accent:#ffd700;--accent-text:#102a43;")
        branding.colours = ["accent": "#0b5cad"]
        XCTAssertEqual(branding.declarations(), "--accent:#0b5cad;--accent-text:#ffffff;")
        XCTAssertEqual(Branding.contrast("#ffffff", "#ffffff"), 1, accuracy: 0.001)
        XCTAssertEqual(Branding.contrast("#000000", "#ffffff"), 21, accuracy: 0.001)
        XCTAssertEqual(Branding.contrast("#767676", "#ffffff"), 4.54, accuracy: 0.01)
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
