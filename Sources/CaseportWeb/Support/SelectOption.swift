import LeafKit
import Vapor

/// One option of a `<select>` or of a group of radio buttons; `detail` is a line shown under its name
/// (the import's kinds list their columns).
///
/// Handed to Leaf as it is (`LeafDataRepresentable`): the back-office list offers hundreds of
/// customers, and Leaf's `Encoder` built each option through keyed containers (issue 17). The
/// dictionary is what the encoder made: `detail` only when set.
struct SelectOption: Encodable, LeafDataRepresentable {
    var value: String
    var name: String
    var selected: Bool
    var detail: String? = nil

    var leafData: LeafData {
        var fields: [String: LeafData] = ["value": .string(value), "name": .string(name), "selected": .bool(selected)]
        if let detail { fields["detail"] = .string(detail) }
        return .dictionary(fields)
    }

    /// One `<option>` as `#options` writes it, appended in place, for pages written in Swift and for the tag
    /// (the back office's customer filter has hundreds of options; building each option's string first was
    /// a tenth of the staff list's CPU in perf, issue 17).
    static func appendOption(value: String, name: String, selected: Bool, to html: inout String) {
        html += "<option value=\""
        html += value.escapedHTML
        html += selected ? "\" selected>" : "\">"
        html += name.escapedHTML
        html += "</option>"
    }

    /// `#options(list)` for a list written in Swift.
    static func optionsHTML(_ options: [SelectOption]) -> String {
        var html = ""
        html.reserveCapacity(options.count * 64)
        for option in options { appendOption(value: option.value, name: option.name, selected: option.selected, to: &html) }
        return html
    }
}

extension Request {
    /// The list search, trimmed and cut to 200 characters.
    var searchText: String {
        String(((try? query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
    }
}
