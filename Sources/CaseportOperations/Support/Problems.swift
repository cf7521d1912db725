/// What is wrong with an operation's input, per field: the locale key of a message the page shows
/// beside the field. `Field` is each operation's own enum, so a typo is a compile error.
public struct Problems<Field: Hashable & Sendable>: Sendable, Equatable {
    public private(set) var messages: [Field: String] = [:]
    /// Fields with more than one problem shown together (every rule a new password breaks): all their
    /// keys, in order; `messages` holds the first.
    public private(set) var together: [Field: [String]] = [:]

    public init() {}

    public var isEmpty: Bool { messages.isEmpty }

    /// Adds a problem; the first one found for a field is kept, as a person fixes one thing at a time.
    public mutating func add(_ field: Field, _ messageKey: String) {
        if messages[field] == nil { messages[field] = messageKey }
    }

    /// Several problems of one field, shown side by side; nothing when `messageKeys` is empty.
    public mutating func add(_ field: Field, all messageKeys: [String]) {
        guard let first = messageKeys.first, messages[field] == nil else { return }
        messages[field] = first
        if messageKeys.count > 1 { together[field] = messageKeys }
    }

    /// Replaces the field's problem (a later, more precise check).
    public mutating func set(_ field: Field, _ messageKey: String) {
        messages[field] = messageKey
        together[field] = nil
    }

    /// Every problem key of the field, in order (usually one).
    public func all(_ field: Field) -> [String] { together[field] ?? messages[field].map { [$0] } ?? [] }

    public subscript(field: Field) -> String? { messages[field] }
}

/// The common locale keys of problems.
public enum ProblemKey {
    public static let required = "form_required"
    public static let tooLong = "form_too_long"
    public static let invalidEmail = "form_invalid_email"
    public static let chooseFromList = "form_choose_from_list"
}

/// An operation either did its work or answers with problems for the form.
public enum Outcome<Value: Sendable, Field: Hashable & Sendable>: Sendable {
    case done(Value)
    case problems(Problems<Field>)
}
