import CaseportCore
import FluentKit
import Foundation

/// One row of the case-event stream (D3). Written only through `CaseEvents.append`; read back as a
/// typed `CaseEvent` through `CaseEvents`.
public final class CaseEventRecord: Model, @unchecked Sendable {
    public static let schema = "case_events"
    @ID(custom: "id", generatedBy: .user) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    @Field(key: "at") public var at: Date
    @OptionalField(key: "staff_id") public var staffId: Int?
    @OptionalField(key: "portal_user_id") public var portalUserId: Int?
    @Field(key: "actor_name") public var actorName: String
    /// `CaseEvent.Kind`'s stored name.
    @Field(key: "kind") public var kind: String
    /// The kind's data as JSON (`CaseEvent.encodedPayload`), nil for kinds without data.
    @OptionalField(key: "payload") public var payload: String?
    /// `EventAudience`: staff only, or also the customer.
    @Field(key: "audience") public var audience: String
    public init() {}
}
