@testable import CaseportWeb
import LeafKit
import XCTest

/// `#fieldError` and `#invalid`, the one way a form shows a field's problem, and `#options`, the one way a
/// select lists its choices — in a real Leaf render.
final class FormTagTests: XCTestCase {
    private func render(_ template: String, _ context: [String: LeafData]) throws -> String {
        try LeafLoopRendering.render(template, tags: ["fieldError": FieldErrorTag(), "invalid": InvalidFieldTag(),
                                                      "options": SelectOptionsTag()], context: context)
    }

    func testAProblemIsShownEscapedAndPointedToByTheField() throws {
        let html = try render(##"<input id="s"#invalid(errors.s, "s-error")>#fieldError(errors.s, "s-error")"##,
                              ["errors": .dictionary(["s": .string("Too <long> & \"odd\"")])])
        XCTAssertEqual(html, #"<input id="s" aria-invalid="true" aria-describedby="s-error" autofocus><p class="field-error" id="s-error">Too &lt;long&gt; &amp; &quot;odd&quot;</p>"#)
    }

    func testNoProblemRendersNothing() throws {
        let html = try render(##"<input id="s"#invalid(errors.s, "s-error")>#fieldError(errors.s, "s-error")"##,
                              ["errors": .dictionary([:])])
        XCTAssertEqual(html, #"<input id="s">"#)
    }

    func testAnIdMadeOfPartsIsJoined() throws {
        let html = try render(##"#fieldError(row.error, "category-", row.id, "-error")"##,
                              ["row": .dictionary(["error": .string("Taken"), "id": .int(7)])])
        XCTAssertEqual(html, #"<p class="field-error" id="category-7-error">Taken</p>"#)
    }

    func testAMissingIdFailsTheRender() {
        XCTAssertThrowsError(try render(##"#fieldError(errors.s)"##, ["errors": .dictionary(["s": .string("x")])]))
        XCTAssertThrowsError(try render(##"#fieldError(errors.s, row.missing, "-error")"##, ["errors": .dictionary(["s": .string("x")])]))
    }

    func testOptionsAreWrittenEscapedWithTheChosenOneSelected() throws {
        let options: LeafData = .array([
            .dictionary(["value": .int(1), "name": .string("Fukt & mögel"), "selected": .bool(false)]),
            .dictionary(["value": .string("2"), "name": .string("<Läcka>"), "selected": .bool(true)]),
        ])
        let html = try render(##"<select name="c">#options(list)</select>"##, ["list": options])
        XCTAssertEqual(html, #"<select name="c"><option value="1">Fukt &amp; mögel</option><option value="2" selected>&lt;Läcka&gt;</option></select>"#)
        XCTAssertThrowsError(try render(##"#options(list)"##, ["list": .array([.dictionary(["name": .string("x")])])]),
                             "an option without a value fails the render")
    }
}
