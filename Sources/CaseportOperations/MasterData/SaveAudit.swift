import CaseportStore
import FluentKit

/// The audit lines (E5) of saving a customer, object or contact: "created" or the changed fields as
/// a master-data change, and — as (de)activation changes who may log in or see what — an access change.
enum SaveAudit {
    static func write(subject: String, isNew: Bool, created: String = "created", changes: String?, wasActive: Bool,
                      isActive: Bool, by actor: StaffActor, in context: OperationContext, on tx: any Database) async throws {
        if isNew {
            try await context.audit(.masterDataChanged, by: actor.auditActor, subject: subject, details: created, on: tx)
        } else if let changes {
            try await context.audit(.masterDataChanged, by: actor.auditActor, subject: subject, details: changes, on: tx)
        }
        if wasActive != isActive {
            try await context.audit(.accessChanged, by: actor.auditActor, subject: subject,
                                    details: isActive ? "reactivated" : "deactivated", on: tx)
        }
    }
}
