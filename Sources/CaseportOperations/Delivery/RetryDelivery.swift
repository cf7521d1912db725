import CaseportStore

/// E1: an administrator puts a failed or waiting message back for delivery now.
public enum RetryDelivery {
    public static func run(outboxId: Int, by actor: StaffActor, in context: OperationContext) async throws {
        guard actor.isAdmin else { throw OperationError.forbidden }
        guard try await OutboxQueue(database: context.database).retry(id: outboxId) else { throw OperationError.notFound }
    }
}
