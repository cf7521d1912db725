import FluentKit
import SQLKit

/// D2: the handler responsible for a customer or an object, so a handler can limit the inquiry inbox to
/// what is theirs. Before this nothing assigned customers or objects to staff (only cases have a
/// handler). A plain nullable column on each, indexed for the inbox's "mine" filter; no foreign key,
/// because SQLite cannot add one to an existing table — a deactivated staff account keeps its ids.
struct M023_HandlerAssignment: AsyncMigration {
    var name: String { "023_handler_assignment" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CustomerRecord.schema).field("handler_id", .int).update()
        try await database.schema(ObjectRecord.schema).field("handler_id", .int).update()
        let sql = try database.requireSQL()
        try await sql.create(index: "customers_handler_id").on(CustomerRecord.schema).column("handler_id").run()
        try await sql.create(index: "objects_handler_id").on(ObjectRecord.schema).column("handler_id").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.requireSQL()
        try await sql.drop(index: "customers_handler_id").run()
        try await sql.drop(index: "objects_handler_id").run()
        try await database.schema(CustomerRecord.schema).deleteField("handler_id").update()
        try await database.schema(ObjectRecord.schema).deleteField("handler_id").update()
    }
}
