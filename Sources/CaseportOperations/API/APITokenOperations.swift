import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// E4 (issue 16): API tokens. An administrator makes staff tokens (a staff member's, acting with a
/// role no higher than that member's); a customer administrator makes portal tokens for the users of
/// their own organisation they manage (`PortalUserAdmin`), which see exactly what that user sees. The
/// token text is returned once and never stored (only its SHA-256); each creation and revocation
/// writes an audit line in the transaction of the change.
public enum CreateAPIToken {
    public struct Input: Sendable {
        /// What the token is for ("Invoicing export"), shown in the lists.
        public var name: String
        public var scope: APITokenScope?
        /// Days until it stops working; nil: it does not expire.
        public var expiresInDays: Int?
        public init(name: String, scope: APITokenScope?, expiresInDays: Int?) {
            self.name = name
            self.scope = scope
            self.expiresInDays = expiresInDays
        }
    }

    public enum Field: String, Hashable, Sendable {
        case name, scope, expires, owner, role
    }

    public struct Created: Sendable {
        public var id: Int
        /// The token itself: show it now, it cannot be read again.
        public var token: String
    }

    /// Who makes a staff token: an administrator on the admin page, or the operator's command
    /// (`caseport token create`, run on the server itself).
    public enum StaffIssuer: Sendable {
        case admin(StaffActor)
        case operatorCommand
    }

    public static let longestLifetimeDays = 3650

    static func check(_ input: Input) -> (Problems<Field>, String) {
        var problems = Problems<Field>()
        let name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { problems.add(.name, ProblemKey.required) }
        if name.count > 200 { problems.add(.name, ProblemKey.tooLong) }
        if input.scope == nil { problems.add(.scope, ProblemKey.required) }
        if let days = input.expiresInDays, !(1...longestLifetimeDays).contains(days) { problems.add(.expires, "api_token_error_expires") }
        return (problems, name)
    }

    /// A staff member's token. `role` nil: the member's own role; an admin role for a handler is refused.
    public static func forStaff(_ input: Input, staffUserId: Int, role: StaffRole?, by issuer: StaffIssuer,
                                in context: OperationContext) async throws -> Outcome<Created, Field> {
        if case .admin(let actor) = issuer, !actor.isAdmin { throw OperationError.forbidden }
        var (problems, name) = check(input)
        guard let owner = try await StaffUserRecord.find(staffUserId, on: context.database) else { throw OperationError.notFound }
        if !owner.isActive { problems.add(.owner, "api_token_error_inactive") }
        let tokenRole = role ?? owner.role
        if tokenRole == .admin, owner.role != .admin { problems.add(.role, "api_token_error_role") }
        guard problems.isEmpty, let scope = input.scope else { return .problems(problems) }
        let auditActor: AuditActor = switch issuer {
        case .admin(let actor): actor.auditActor
        case .operatorCommand: .system
        }
        let record = newRecord(name: name, scope: scope, days: input.expiresInDays, realm: .staff, by: auditActor.name, in: context)
        record.staffUserId = staffUserId
        record.role = tokenRole
        return .done(try await save(record, subject: "\(owner.name) <\(owner.email)>", by: auditActor, in: context))
    }

    /// A portal user's token, made by a customer administrator (or the user of a one-user organisation).
    public static func forPortalUser(_ input: Input, portalUserId: Int, by actor: PortalActor,
                                     in context: OperationContext) async throws -> Outcome<Created, Field> {
        let admin = try await PortalUserAdmin.of(actor, on: context.database)
        let owner = try await admin.target(portalUserId, on: context.database)
        guard admin.isAdmin || admin.isSelf(owner) else { throw OperationError.notFound }
        var (problems, name) = check(input)
        if !owner.isActive { problems.add(.owner, "api_token_error_inactive") }
        guard problems.isEmpty, let scope = input.scope else { return .problems(problems) }
        let record = newRecord(name: name, scope: scope, days: input.expiresInDays, realm: .portal, by: actor.name, in: context)
        record.portalUserId = portalUserId
        record.organisationId = owner.organisationId
        return .done(try await save(record, subject: "\(owner.displayName) (\(owner.username))",
                                    by: .portal(id: actor.userId, name: actor.name), in: context))
    }

    static func newRecord(name: String, scope: APITokenScope, days: Int?, realm: APITokenRealm, by creator: String,
                          in context: OperationContext) -> APITokenRecord {
        let record = APITokenRecord()
        record.name = name
        record.scope = scope
        record.realm = realm
        record.createdAt = context.now.timeIntervalSince1970
        record.createdByName = creator
        record.expiresAt = days.map { context.now.timeIntervalSince1970 + Double($0) * 86_400 }
        return record
    }

    static func save(_ record: APITokenRecord, subject: String, by actor: AuditActor,
                     in context: OperationContext) async throws -> Created {
        let token = APITokens.newToken()
        record.tokenHash = APITokens.hash(token)
        record.prefix = String(token.prefix(12))
        let expires = record.expiresAt.map { ", expires \(Date(timeIntervalSince1970: $0))" } ?? ""
        try await context.database.transaction { tx in
            try await record.create(on: tx)
            try await context.audit(.apiTokenCreated, by: actor, subject: subject,
                                    details: "\(record.name) (\(record.prefix)…): \(record.scope.rawValue)"
                                        + (record.role.map { ", \($0.rawValue)" } ?? "") + expires, on: tx)
        }
        return Created(id: try record.requireID(), token: token)
    }
}

/// Revokes an API token: at once, for good. Staff administrators revoke any token; a customer
/// administrator the tokens of their own organisation (another's is `notFound`).
public enum RevokeAPIToken {
    public static func run(tokenId: Int, by actor: StaffActor, in context: OperationContext) async throws {
        guard actor.isAdmin else { throw OperationError.forbidden }
        guard let record = try await APITokenRecord.find(tokenId, on: context.database) else { throw OperationError.notFound }
        try await revoke(record, by: actor.auditActor, in: context)
    }

    public static func run(tokenId: Int, by actor: PortalActor, in context: OperationContext) async throws {
        let admin = try await PortalUserAdmin.of(actor, on: context.database)
        guard let record = try await APITokenRecord.find(tokenId, on: context.database), record.realm == .portal,
              record.organisationId == admin.organisationId,
              admin.isAdmin || record.portalUserId == actor.userId else { throw OperationError.notFound }
        try await revoke(record, by: .portal(id: actor.userId, name: actor.name), in: context)
    }

    static func revoke(_ record: APITokenRecord, by actor: AuditActor, in context: OperationContext) async throws {
        let id = try record.requireID()
        try await context.database.transaction { tx in
            guard try await APITokens(database: tx).revoke(id: id, now: context.now) else { throw OperationError.alreadyDone }
            try await context.audit(.apiTokenRevoked, by: actor, subject: "\(record.name) (\(record.prefix)…)", on: tx)
        }
    }
}
