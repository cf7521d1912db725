import CaseportCore
import CaseportStore
import FluentKit

/// One settings change as the audit log shows it (D5, C8, E5): "field: before → after".
struct SettingsChange: Sendable {
    var field: String
    var before: String
    var after: String
}

extension OperationContext {
    /// One `settings_changed` audit line per change that really changed something, on `database` (the
    /// operation's transaction), as the settings pages have always written them.
    func auditSettings(_ changes: [SettingsChange], subject: String, by actor: StaffActor, on database: any Database) async throws {
        for change in changes where change.before != change.after {
            try await audit(.settingsChanged, by: actor.auditActor, subject: subject,
                            details: "\(change.field): \(change.before) → \(change.after)", on: database)
        }
    }
}

extension OperationContext {
    /// Saves the settings document with its audit lines, in one transaction.
    func save(_ settings: PortalSettings, changes: [SettingsChange], subject: String, by actor: StaffActor) async throws {
        try await database.transaction { tx in
            try await SettingsStore(database: tx).save(settings)
            try await auditSettings(changes, subject: subject, by: actor, on: tx)
        }
    }
}

extension StaffActor {
    /// Settings, branding, the catalogue, case types and imports are for administrators only (D1).
    /// The web's `StaffAdminGuard` refuses others first; the operations refuse them too, for callers
    /// without that guard (the API, jobs).
    func requireAdmin() throws {
        guard isAdmin else { throw OperationError.forbidden }
    }
}

extension String {
    /// "yes"/"no" for audit lines, independent of the page's language.
    static func flag(_ value: Bool) -> String { value ? "yes" : "no" }
}

/// Checks shared by the catalogue and case-type forms.
enum SettingsRules {
    static let nameLimit = 100
    static let orderRange = -99_999...99_999

    /// A required name within the limit that no other entry has (case-insensitive): a problem key, or nil.
    static func name(_ name: String, taken: Bool) -> String? {
        if name.isEmpty { return ProblemKey.required }
        if name.count > nameLimit { return ProblemKey.tooLong }
        return taken ? "settings_error_name_taken" : nil
    }

    /// An optional order: empty is nil (the next place), otherwise a whole number in range.
    enum Order: Equatable { case next, number(Int), invalid }

    static func order(_ text: String) -> Order {
        let text = text.trimmed
        if text.isEmpty { return .next }
        guard let number = Int(text), orderRange.contains(number) else { return .invalid }
        return .number(number)
    }
}

extension SettingsRules.Order {
    var number: Int? {
        if case .number(let number) = self { return number }
        return nil
    }
}
