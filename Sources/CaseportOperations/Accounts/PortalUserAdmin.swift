import CaseportCore
import CaseportStore
import FluentKit

/// Who may manage which portal accounts (A9): a customer administrator their organisation's users; in an
/// organisation that may have only one user, that user itself. Everything else is "not found", exactly
/// as a user of another organisation. The user pages read through it and the operations check with it.
public struct PortalUserAdmin: Sendable {
    /// The acting user's own record, read fresh.
    public let administrator: PortalUserRecord
    public let organisation: CustomerRecord
    let actor: PortalActor

    public var isAdmin: Bool { administrator.isAdmin }
    public var singleUser: Bool { organisation.singleUser }
    /// Only administrators of an organisation with a user list add users.
    public var mayAdd: Bool { isAdmin && !singleUser }
    public var organisationId: Int { administrator.organisationId }

    /// The acting user's administration; `notFound` for a user who manages nobody, not even itself.
    public static func of(_ actor: PortalActor, on db: any Database) async throws -> PortalUserAdmin {
        guard let administrator = try await PortalUserRecord.find(actor.userId, on: db),
              let organisation = try await CustomerRecord.find(administrator.organisationId, on: db) else {
            throw OperationError.notFound
        }
        let admin = PortalUserAdmin(administrator: administrator, organisation: organisation, actor: actor)
        guard admin.isAdmin || admin.singleUser else { throw OperationError.notFound }
        return admin
    }

    public func isSelf(_ user: PortalUserRecord) -> Bool { user.id == administrator.id }

    /// A user this administration may open; `notFound` otherwise.
    public func target(_ userId: Int, on db: any Database) async throws -> PortalUserRecord {
        // A removed user (issue 11 point 10) is gone for the organisation: not found, like any other.
        guard let target = try await PortalUserRecord.query(on: db).filter(\.$id == userId)
            .filter(\.$organisationId == organisationId).filter(\.$removedAt == nil).first() else { throw OperationError.notFound }
        // Outside a one-user organisation only administrators manage users; a user may always edit itself.
        if isSelf(target) { return target }
        guard isAdmin else { throw OperationError.notFound }
        // An administrator manages only contact logins whose reach lies within their own, and no
        // pending registration: the same answer as for a user of another organisation.
        guard try await ManagedUsers.mayManage(target, by: actor.visibility, on: db) else { throw OperationError.notFound }
        return target
    }

    /// Which of `users` (a page of the list) the administrator may open.
    public func editable(_ users: [PortalUserRecord], on db: any Database) async throws -> Set<Int> {
        // One look-up for the whole page (issue 9 point 7), not a few queries per row.
        var ids = try await ManagedUsers.manageable(users, by: actor.visibility, on: db)
        if let own = administrator.id, users.contains(where: { $0.id == own }) { ids.insert(own) }
        return ids
    }

    /// How the audit log names the acting user.
    var auditActor: AuditActor { .portal(id: administrator.id, name: "\(administrator.displayName) (\(administrator.username))") }
}
