import Vapor

/// One option of a `<select>`.
struct SelectOption: Encodable {
    var value: String
    var name: String
    var selected: Bool
}

extension Request {
    /// The list search, trimmed and cut to 200 characters.
    var searchText: String {
        String(((try? query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
    }
}
