import FluentKit
import Foundation

/// One line of the audit log (E5): who did what to what, when and from where. Rows are only ever
/// inserted; a database trigger refuses UPDATE and DELETE (see M009).
public final class AuditEventRecord: Model, @unchecked Sendable {
    public static let schema = "audit_events"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "at") public var at: Date
    /// "staff", "portal", "system" or "anonymous" (a failed login by someone unknown).
    @Field(key: "actor_kind") public var actorKind: String
    @OptionalField(key: "actor_id") public var actorId: Int?
    /// The name or the typed login at the time, kept as text so the line survives a deleted account.
    @Field(key: "actor_name") public var actorName: String
    /// An `AuditAction` raw value.
    @Field(key: "action") public var action: String
    /// What was acted on, as text ("staff user 3", "customer 1001", "settings", "import contacts").
    @OptionalField(key: "subject") public var subject: String?
    /// Free text: before → after, row counts, the reason of a failure.
    @OptionalField(key: "details") public var details: String?
    @OptionalField(key: "ip") public var ip: String?
    public init() {}
}
