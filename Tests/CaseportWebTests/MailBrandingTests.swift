import CaseportCore
@testable import CaseportWeb
import XCTest

/// C8 in mail: the HTML part takes the deployment's colours and logo; nothing typed as a colour or a
/// company name can break out of the markup.
final class MailBrandingTests: XCTestCase {
    func testTheHTMLPartUsesTheBrandingColoursAndTheLogo() {
        var branding = Branding()
        branding.colours = ["heading": "#AA3300", "text": "#111111", "page-bg": "#fafafa"]
        let html = MailComposer.html(body: "Se https://portal.example/cases/7", subject: "Ärende 7", company: "Brf <Solgläntan>",
                                     language: "sv", branding: branding,
                                     logoURL: "https://portal.example/branding/logo?v=3")
        XCTAssertTrue(html.contains("color:#aa3300;padding-bottom:12px;border-bottom:2px solid #aa3300"))
        XCTAssertTrue(html.contains("color:#111111"))
        XCTAssertTrue(html.contains("background:#fafafa"))
        XCTAssertTrue(html.contains("style=\"color:#aa3300\">https://portal.example/cases/7</a>"))
        XCTAssertTrue(html.contains("<img src=\"https://portal.example/branding/logo?v=3\" alt=\"Brf &lt;Solgläntan&gt;\""))
    }

    func testWithoutALogoTheNameIsTheHeaderAndBadColoursFallBack() {
        var branding = Branding()
        branding.colours = ["heading": "red;} body{display:none", "text": "#12345"]
        let html = MailComposer.html(body: "Hej", subject: "S", company: "Brf <Solgläntan>", language: "sv", branding: branding)
        XCTAssertFalse(html.contains("<img"))
        XCTAssertTrue(html.contains(">Brf &lt;Solgläntan&gt;</div>"))
        XCTAssertFalse(html.contains("display:none"))
        XCTAssertTrue(html.contains("color:\(Branding.Colour.heading.standard)"))
        XCTAssertTrue(html.contains("color:\(Branding.Colour.text.standard)"))
    }
}
