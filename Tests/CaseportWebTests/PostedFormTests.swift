@testable import CaseportWeb
import XCTest

/// `PostedForm` reads a form as a browser sends it: nothing a person can post is a decoding error.
final class PostedFormTests: XCTestCase {
    private struct Sample: PostedForm {
        enum Kind: String, Decodable { case one, two }
        var name: String
        var note: String?
        var ticked: Bool
        var count: Int?
        var kind: Kind?
        var extra: [String: String] = [:]

        enum CodingKeys: String, CodingKey { case name, note, ticked, count, kind }
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            note = try container.decodeIfPresent(String.self, forKey: .note)
            ticked = try container.decode(Bool.self, forKey: .ticked)
            count = try container.decodeIfPresent(Int.self, forKey: .count)
            kind = try container.decodeIfPresent(Kind.self, forKey: .kind)
            for key in try decoder.container(keyedBy: AnyKey.self).allKeys where key.stringValue.hasPrefix("field_") {
                extra[key.stringValue] = try decoder.container(keyedBy: AnyKey.self).decode(String.self, forKey: key)
            }
        }
    }

    private func decode(_ values: [String: String]) throws -> Sample {
        try Sample(from: FormValueDecoder(values: values))
    }

    func testMissingFieldsAreEmptyOrNilAndAnUntickedBoxIsFalse() throws {
        let form = try decode([:])
        XCTAssertEqual(form.name, "")
        XCTAssertNil(form.note)
        XCTAssertFalse(form.ticked)
        XCTAssertNil(form.count)
        XCTAssertNil(form.kind)
    }

    func testValuesAreReadAsTyped() throws {
        let form = try decode(["name": " Åsa ", "note": "", "ticked": "on", "count": " 12 ", "kind": "two", "field_7": "x", "other": "y"])
        XCTAssertEqual(form.name, " Åsa ", "kept as typed, so the page can show it again")
        XCTAssertEqual(form.note, "")
        XCTAssertTrue(form.ticked)
        XCTAssertEqual(form.count, 12)
        XCTAssertEqual(form.kind, .two)
        XCTAssertEqual(form.extra, ["field_7": "x"])
    }

    func testNonsenseIsNoChoiceRatherThanAnError() throws {
        let form = try decode(["ticked": "0", "count": "12abc", "kind": "three"])
        XCTAssertFalse(form.ticked)
        XCTAssertNil(form.count)
        XCTAssertNil(form.kind)
        XCTAssertFalse(try decode(["ticked": ""]).ticked)
    }
}
