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

    /// One `<option>` as `#options` writes it, for pages written in Swift and for the tag.
    static func optionHTML(value: String, name: String, selected: Bool) -> String {
        "<option value=\"" + value.escapedHTML + "\"" + (selected ? " selected" : "") + ">" + name.escapedHTML + "</option>"
    }

    /// `#options(list)` for a list written in Swift.
    static func optionsHTML(_ options: [SelectOption]) -> String {
        options.reduce(into: "") { $0 += optionHTML(value: $1.value, name: $1.name, selected: $1.selected) }
    }
}

extension Request {
    /// The list search, trimmed and cut to 200 characters.
    var searchText: String {
        String(((try? query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
    }
}
