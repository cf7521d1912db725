import SQLKit

/// Faster reads of a row's nullable and enum columns (issue 17, session 18). SQLiteKit converts a plain
/// `Int`, `String`, `Date` or `Bool` directly, but decodes an `Optional` or a `String`-backed enum through a
/// `Decoder` it allocates for each value, with generic metadata looked up each time: decoding was 6–7 % of a
/// list page's CPU in perf. Asking for NULL first and then the plain type gives the same values on both
/// databases.
extension SQLRow {
    /// The column's value, nil when it is NULL.
    func decodeOptional<T: Decodable>(column: String, as type: T.Type) throws -> T? {
        try decodeNil(column: column) ? nil : decode(column: column, as: T.self)
    }

    /// A text column holding an enum's raw value; an unknown value is an error, as decoding it would be.
    func decodeRaw<T: RawRepresentable>(column: String, as type: T.Type) throws -> T where T.RawValue == String {
        let raw = try decode(column: column, as: String.self)
        guard let value = T(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(column): no \(T.self) is '\(raw)'"))
        }
        return value
    }
}
