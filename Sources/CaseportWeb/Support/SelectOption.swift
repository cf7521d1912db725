import Vapor

/// One option of a `<select>` or of a group of radio buttons; `detail` is a line shown under its name
/// (the import's kinds list their columns).
struct SelectOption: Encodable {
    var value: String
    var name: String
    var selected: Bool
    var detail: String? = nil
}

extension Request {
    /// The list search, trimmed and cut to 200 characters.
    var searchText: String {
        String(((try? query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
    }
}
