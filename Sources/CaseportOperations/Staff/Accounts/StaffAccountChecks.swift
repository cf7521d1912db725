import CaseportCore
import CaseportStore
import FluentKit

/// The fields of the staff account form (D1), shared by creating and editing an account.
public enum StaffAccountField: String, Hashable, Sendable {
    case name, email, role, password, passwordConfirm = "password_confirm", currentPassword = "current_password"
    case isActive = "is_active"
    /// Issue 13: the handler's mobile, shown to a claim's customer when the settings allow it.
    case mobile
}

enum StaffAccountChecks {
    /// Name, a unique e-mail address, a role, and a new password (when one was typed) under the rule.
    static func check(name: String, email: String, role: String, password: String, confirmation: String,
                      target: StaffUserRecord?, on db: any Database) async throws -> Problems<StaffAccountField> {
        var problems = Problems<StaffAccountField>()
        if let problem = MasterDataRules.text(name, limit: InputLimits.name) { problems.add(.name, problem) }
        if let problem = MasterDataRules.text(email, limit: InputLimits.email) { problems.add(.email, problem) }
        else if !EmailAddress.isValid(email) { problems.add(.email, ProblemKey.invalidEmail) }
        else if let clash = try await StaffUserRecord.query(on: db).filter(\.$emailKey == LoginKey.fold(email)).first(),
                clash.id != target?.id {
            problems.add(.email, "staff_users_error_email_taken")
        }
        if StaffRole(rawValue: role) == nil { problems.add(.role, ProblemKey.required) }
        try await NewPassword.check(password, confirmation: confirmation, on: db, into: &problems,
                                    password: .password, confirmation: .passwordConfirm)
        return problems
    }

    /// How the audit log names a staff account.
    static func subject(of user: StaffUserRecord) -> String {
        "staff user \(user.id.map(String.init) ?? "") \(user.email)"
    }
}
