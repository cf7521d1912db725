import Foundation

/// The API's paging cursor: opaque to callers, it names the last row of the page before (its id), and
/// the next page is "rows after that one" in the list's order (a keyset). A row added meanwhile is
/// newer, so it never shifts what the following pages hold — unlike an offset.
enum APICursor {
    static func encode(afterId id: Int) -> String {
        Data("v1:\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The id a cursor names; nil for no cursor; a cursor this server did not make is a 400.
    static func decode(_ cursor: String?) throws -> Int? {
        guard let cursor, !cursor.isEmpty else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard cursor.count <= 40, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              text.hasPrefix("v1:"), let id = Int(text.dropFirst(3)), id > 0, id <= Int(Int32.max) else {
            throw APIFailure(.badRequest, "The cursor is not one this server gave out.")
        }
        return id
    }

    /// Rows per page: 50 unless asked, at most 200.
    static func limit(_ asked: Int32?) -> Int { min(max(Int(asked ?? 50), 1), 200) }

    /// A page of `limit` rows from `rows` (read with one more than `limit`), and the next cursor when more follow.
    static func page<Row>(_ rows: [Row], limit: Int, id: (Row) -> Int) -> ([Row], String?) {
        guard rows.count > limit else { return (rows, nil) }
        let page = Array(rows.prefix(limit))
        return (page, page.last.map { encode(afterId: id($0)) })
    }
}
