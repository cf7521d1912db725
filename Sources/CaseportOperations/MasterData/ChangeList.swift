/// "before → after" lines for the fields that changed, so an audit line says what an edit did.
public struct ChangeList: Sendable {
    public private(set) var lines: [String] = []
    public init() {}
    public mutating func compare(_ field: String, _ before: String?, _ after: String?) {
        let old = before ?? "", new = after ?? ""
        if old != new { lines.append("\(field): \(old) → \(new)") }
    }
    /// A change without a before and after, such as "password set".
    public mutating func note(_ line: String) { lines.append(line) }
    public var text: String? { lines.isEmpty ? nil : lines.joined(separator: "; ") }
}

/// Checks of the master-data forms (D6).
enum MasterDataRules {
    /// Required text within a limit: a problem key, or nil.
    static func text(_ value: String, limit: Int, required: Bool = true) -> String? {
        if value.isEmpty { return required ? ProblemKey.required : nil }
        return value.count > limit ? ProblemKey.tooLong : nil
    }
}
