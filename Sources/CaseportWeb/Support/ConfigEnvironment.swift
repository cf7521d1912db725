import Foundation

/// The process environment as `AppConfig` and `DeliveryConfig` read it. Every lookup goes through
/// here, so each malformed value is refused with the same wording (naming the variable), and the
/// names asked for are recorded: a test compares them with README's configuration table.
/// Nothing else in `Sources/` reads the environment (a test checks that too).
final class ConfigEnvironment {
    private let values: [String: String]
    /// Every name looked up, in the order asked.
    private(set) var names: [String] = []

    init(_ values: [String: String]) { self.values = values }

    /// The value as given, or nil when unset (an empty value counts as set).
    func raw(_ name: String) -> String? {
        if !names.contains(name) { names.append(name) }
        return values[name]
    }

    /// The value without surrounding spaces; nil when unset or blank.
    func text(_ name: String) -> String? {
        raw(name).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A whole number within `range`; nil when unset.
    func whole(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let raw = text(name) else { return nil }
        guard let number = Int(raw), range.contains(number) else {
            throw Self.problem(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)", raw)
        }
        return number
    }

    /// One of a fixed set of words (compared without case); nil when unset.
    func choice<Value: RawRepresentable>(_ name: String, _ type: Value.Type, _ words: String) throws -> Value?
    where Value.RawValue == String {
        guard let raw = text(name) else { return nil }
        guard let value = Value(rawValue: raw.lowercased()) else { throw Self.problem(name, "must be \(words)", raw) }
        return value
    }

    /// `0` or `1` (also `false`/`true`, `no`/`yes`); nil when unset.
    func flag(_ name: String) throws -> Bool? {
        guard let raw = text(name) else { return nil }
        switch raw.lowercased() {
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw Self.problem(name, "must be 1 or 0", raw)
        }
    }

    /// The start-up failure for a malformed value: `NAME must …, not "value"`.
    static func problem(_ name: String, _ rule: String, _ value: String) -> AppConfig.Problem {
        AppConfig.Problem(description: "\(name) \(rule), not \"\(value)\"")
    }
}
