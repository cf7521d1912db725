import CaseportCore
import CaseportStore

/// The one way portal operations reach a case: through `VisibleCases` and the actor's access links
/// (A7). A case outside the rule is `OperationError.notFound`, exactly like a number that does not exist.
enum PortalCases {
    static func find(number: Int, for actor: PortalActor, in context: OperationContext) async throws -> CaseDetail {
        guard let detail = try await VisibleCases(database: context.database).find(number: number, for: actor.visibility)
        else { throw OperationError.notFound }
        return detail
    }

    /// The id, number and subject of a case the actor may see (the same rule), for writes that need no more.
    static func target(number: Int, for actor: PortalActor, in context: OperationContext) async throws
        -> (id: Int, number: Int, subject: String) {
        guard let target = try await VisibleCases(database: context.database).target(number: number, for: actor.visibility)
        else { throw OperationError.notFound }
        return target
    }
}
