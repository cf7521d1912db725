import CaseportCore
import CaseportStore
import FluentKit

/// A3: a new password typed twice, checked against the deployment's password rule. Operations that set
/// a password get its hash from a `PasswordHashing` (bcrypt on the web) passed to `run`, so they stay free of Vapor.
enum NewPassword {
    /// Every rule the password breaks, on `passwordField` together; else a mismatch on `confirmationField`.
    /// An empty password is no problem here (the caller decides whether one is required).
    static func check<Field>(_ password: String, confirmation: String, on db: any Database, into problems: inout Problems<Field>,
                             password passwordField: Field, confirmation confirmationField: Field) async throws {
        guard !password.isEmpty else { return }
        let policy = try await SettingsStore(database: db).load().passwordPolicy
        let broken = policy.problems(with: password)
        if !broken.isEmpty { problems.add(passwordField, all: broken.map(\.rawValue)) }
        else if password != confirmation { problems.add(confirmationField, "password_mismatch") }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
