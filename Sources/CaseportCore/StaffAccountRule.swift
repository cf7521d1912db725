import Foundation

/// D1: what an administrator may do to a staff account. The back office must always keep one
/// active administrator, and nobody deactivates their own account (they would be signed out with
/// nobody to let them back in).
public enum StaffAccountRule {
    public enum Problem: String, Sendable, Equatable {
        case lastAdmin = "staff_users_error_last_admin"
        case selfDeactivation = "staff_users_error_self_deactivate"
    }

    /// - Parameters:
    ///   - isSelf: the administrator is editing their own account.
    ///   - wasActiveAdmin: the account is an active administrator now.
    ///   - staysActiveAdmin: it still is one after the change.
    ///   - otherActiveAdmins: active administrators besides this account.
    public static func problem(isSelf: Bool, willBeActive: Bool, wasActiveAdmin: Bool, staysActiveAdmin: Bool,
                               otherActiveAdmins: Int) -> Problem? {
        if isSelf && !willBeActive { return .selfDeactivation }
        if wasActiveAdmin && !staysActiveAdmin && otherActiveAdmins == 0 { return .lastAdmin }
        return nil
    }
}
