import FluentKit
import Foundation

/// One change to a case, for its timeline (D3) and the customer's news feed (C1): who, when, what,
/// and the value before and after.
public final class CaseEventRecord: Model, @unchecked Sendable {
    public static let schema = "case_events"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    @Field(key: "at") public var at: Date
    @OptionalField(key: "staff_id") public var staffId: Int?
    @Field(key: "actor_name") public var actorName: String
    /// What changed: "created", "status", "handler", "supplier", "field", "message", "note".
    @Field(key: "kind") public var kind: String
    /// For "field": which one (subject, category, …).
    @OptionalField(key: "field") public var field: String?
    @OptionalField(key: "before") public var before: String?
    @OptionalField(key: "after") public var after: String?
    public init() {}
    public init(caseId: Int, at: Date, staffId: Int?, actorName: String, kind: String, field: String? = nil,
                before: String? = nil, after: String? = nil) {
        self.caseId = caseId
        self.at = at
        self.staffId = staffId
        self.actorName = actorName
        self.kind = kind
        self.field = field
        self.before = before
        self.after = after
    }
}
