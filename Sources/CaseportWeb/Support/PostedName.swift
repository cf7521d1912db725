/// A posted field's name, for forms whose names vary (`inquiry_<id>` on the inbox, a case type's
/// `field_<id>` on the new-case form): the form's `init(from:)` reads them through `container.allKeys`.
struct PostedName: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }

    /// The rest of the name after `prefix`, when the name starts with it.
    func suffix(after prefix: String) -> String? {
        stringValue.hasPrefix(prefix) ? String(stringValue.dropFirst(prefix.count)) : nil
    }
}
