import FluentKit
import SQLKit

/// What staff configure for cases: categories, priorities, case types and their extra fields (B4, D5).
struct M003_CreateCatalogue: AsyncMigration {
    var name: String { "003_create_catalogue" }

    func prepare(on database: any Database) async throws {
        try await database.schema(CategoryRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("sort_order", .int, .required)
            .field("is_active", .bool, .required)
            .create()
        try await database.schema(PriorityRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("rank", .int, .required)
            .create()
        try await database.schema(SupplierRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("email", .string)
            .field("phone", .string)
            .field("is_active", .bool, .required)
            .create()
        try await database.schema(CaseTypeRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("is_billable", .bool, .required)
            .field("is_active", .bool, .required)
            .field("sort_order", .int, .required)
            .create()
        try await database.schema(CaseTypeFieldRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("case_type_id", .int, .required, .references(CaseTypeRecord.schema, "id", onDelete: .cascade))
            .field("label", .string, .required)
            .field("kind", .string, .required)
            .field("is_required", .bool, .required)
            .field("choices", .string, .required)
            .field("sort_order", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in [CaseTypeFieldRecord.schema, CaseTypeRecord.schema, SupplierRecord.schema, PriorityRecord.schema,
                      CategoryRecord.schema] {
            try await database.schema(table).delete()
        }
    }
}
