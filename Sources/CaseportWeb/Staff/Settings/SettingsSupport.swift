import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// One audit line per settings change, for the inbox's "new category" (D2), which is not an operation yet.
/// The settings pages use the operations in `CaseportOperations/Settings` (same lines).
enum SettingsAudit {
    /// One change as the audit log shows it: "field: before → after".
    struct Change {
        var field: String
        var before: String
        var after: String
    }

    static func actor(_ request: Request) throws -> AuditActor {
        let staff = try request.requireStaff()
        return .staff(id: staff.user.id, name: staff.user.name)
    }

    static func record(_ changes: [Change], subject: String, request: Request, on database: (any Database)? = nil) async throws {
        let log = AuditLog(database: database ?? request.db)
        let actor = try actor(request)
        for change in changes where change.before != change.after {
            try await log.record(.settingsChanged, by: actor, subject: subject,
                                 details: "\(change.field): \(change.before) → \(change.after)",
                                 ip: request.clientAddress)
        }
    }
}

/// The settings pages' sub-navigation.
struct SettingsTab: Encodable {
    var href: String
    var name: String
    var current: Bool

    static func all(_ request: Request) -> [SettingsTab] {
        let path = request.url.path
        return [(StaffRoute.settings, "settings_general_title"), (.caseTypes, "settings_types_title"),
                (.catalogue, "settings_catalogue_title"), (.branding, "branding_title")]
            .map { route, key in
                let href = route.path()
                let current = route == .settings ? path == href : path.hasPrefix(href)
                return SettingsTab(href: href, name: request.t(key), current: current)
            }
    }
}
