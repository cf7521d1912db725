@testable import CaseportWeb
import LeafKit
import XCTest

/// Issue 17 (session 13): the seven selects of the staff case forms (`shared/case-selects`, on the case page,
/// the new-case page and a case from an inquiry) are written by `CaseSelects.html` instead of a Leaf loop.
/// The fragment below is the partial as it was (with the real `#options`, `#invalid` and `#fieldError` tags);
/// Leaf renders it, and the partial as it is now, for many selects — both layouts, options chosen or not,
/// none, hundreds, errors and empty errors, values full of characters that need escaping — and the bytes
/// must be the same.
final class CaseSelectsHTMLTests: XCTestCase {
    static let fragment = """
#for(row in selects.rows):
  <div class="field-row">
    #for(select in row.selects):<div class="field"><label for="#(select.name)">#(select.label)</label>
      <select id="#(select.name)" name="#(select.name)"#invalid(select.error, select.errorId)><option value="">–</option>#options(select.options)</select>
      #fieldError(select.error, select.errorId)</div>
    #endfor
  </div>
#endfor

"""

    nonisolated(unsafe) static let tags: [String: any LeafTag] = ["options": SelectOptionsTag(), "invalid": InvalidFieldTag(),
                                              "fieldError": FieldErrorTag(), "unsafeHTML": defaultTags["unsafeHTML"]!]

    /// Between two rendered forms in one Leaf render.
    private static let separator = "\n<!-- next form -->\n"

    /// The value as Leaf's encoder handed it to the former partial (an error only when there is one).
    private func formerData(_ selects: CaseSelects) -> LeafData {
        .dictionary(["rows": .array(selects.rows.map { row in
            .dictionary(["selects": .array(row.selects.map { select in
                var fields: [String: LeafData] = ["name": .string(select.name), "label": .string(select.label),
                                                  "options": .array(select.options.map(\.leafData)), "errorId": .string(select.errorId)]
                if let error = select.error { fields["error"] = .string(error) }
                return .dictionary(fields)
            })])
        })])
    }

    private func render(_ template: String, _ forms: [LeafData]) throws -> [String] {
        let html = try LeafLoopRendering.render("#for(selects in forms):" + template + Self.separator + "#endfor",
                                                tags: Self.tags, partials: ["shared/case-selects"],
                                                context: ["forms": .array(forms)])
        var parts = html.components(separatedBy: Self.separator)
        XCTAssertEqual(parts.removeLast(), "", "the loop ends with a separator")
        return parts
    }

    private func forms() -> [CaseSelects] {
        var rng = SystemRandomNumberGenerator()
        let awkward = ["", "Brf Solgläntan", "A & B <AB>", "\"citat\" 'enkla'", "Åsa–Öberg", "x\ny", "&amp;", "<script>alert(1)</script>"]
        func text() -> String { awkward.randomElement(using: &rng)! + (Bool.random(using: &rng) ? " \(Int.random(in: 1...999, using: &rng))" : "") }
        var forms: [CaseSelects] = []
        for layout in [CaseSelects.caseLayout, CaseSelects.inquiryLayout, [[.customer]], []] {
            for round in 0..<12 {
                let rows = layout.map { names in
                    CaseSelects.Row(selects: names.map { name in
                        let count = round == 0 ? 0 : round == 1 ? 600 : Int.random(in: 0...8, using: &rng)
                        let chosen = Int.random(in: -1..<max(count, 1), using: &rng)
                        let options = (0..<count).map { index in
                            SelectOption(value: index == 3 ? text() : String(index + 1), name: text(), selected: index == chosen)
                        }
                        let error: String? = round % 3 == 0 ? nil : round % 3 == 1 ? text() : ""
                        return CaseSelects.Select(name: name.rawValue, label: text(), options: options, error: error,
                                                  errorId: name.rawValue + "-error")
                    })
                }
                forms.append(CaseSelects(rows: rows))
            }
        }
        return forms
    }

    func testTheSelectsAreTheBytesThePartialWrote() throws {
        let forms = forms()
        let former = try render(Self.fragment, forms.map(formerData))
        let now = try render(#"#extend("shared/case-selects")"#, forms.map { .dictionary(["html": .string($0.html)]) })
        XCTAssertEqual(former.count, forms.count)
        XCTAssertEqual(now.count, forms.count)
        for (index, (a, b)) in zip(former, now).enumerated() where a != b {
            XCTFail("form \(index) differs:\n--- the former partial\n\(a)\n--- now\n\(b)")
            break
        }
        XCTAssertTrue(former.contains { $0.contains(" aria-invalid=\"true\" aria-describedby=\"") }, "some forms show an error")
        XCTAssertTrue(former.contains { $0.contains(" selected>") }, "some options are chosen")
        XCTAssertTrue(former.contains { $0.contains("&lt;script&gt;") }, "values are escaped")
    }
}
