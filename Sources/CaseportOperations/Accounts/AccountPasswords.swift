import CaseportCore

/// bcrypt as the account operations use it. `PasswordHashing` (Core) is the protocol the web's bcrypt
/// service already implements, so operations need no Vapor. Operations call it themselves, at the point
/// in their checks where the page did before: a form with problems costs no bcrypt work, and the
/// timing-equalising work (the same hash or check whether or not an account exists) stays where it was.
public struct AccountPasswords: Sendable {
    public var hashing: any PasswordHashing
    /// A valid hash of nothing anyone knows, checked against when there is no account (A4).
    public var dummyHash: String

    public init(hashing: any PasswordHashing, dummyHash: String) {
        self.hashing = hashing
        self.dummyHash = dummyHash
    }
}

/// The rules a new password must meet, as problems for a form.
enum PasswordRules {
    /// The policy's problems as one problem: their locale keys separated by a space, all shown together
    /// (the web translates each; see `Problems`-to-texts in the portal's account forms).
    static func problem(with password: String, policy: PasswordPolicy) -> String? {
        let problems = policy.problems(with: password)
        return problems.isEmpty ? nil : problems.map(\.rawValue).joined(separator: " ")
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
