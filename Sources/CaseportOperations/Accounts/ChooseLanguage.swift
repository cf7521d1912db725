import CaseportCore
import CaseportStore
import FluentKit

/// A3: the language switch. For a signed-in portal user and/or staff member the choice is kept on the
/// account (mails to them use it); the cookie that keeps it in the browser is the web's.
public enum ChooseLanguage {
    public static func run(_ language: Language, portalUserId: Int?, staffUserId: Int?, in context: OperationContext) async throws {
        let db = context.database
        // A fresh record: the session's copy is shared between requests.
        if let portalUserId, let user = try await PortalUserRecord.find(portalUserId, on: db) {
            user.language = language.rawValue
            try await user.save(on: db)
        }
        if let staffUserId, let staff = try await StaffUserRecord.find(staffUserId, on: db) {
            staff.language = language.rawValue
            try await staff.save(on: db)
        }
    }
}
