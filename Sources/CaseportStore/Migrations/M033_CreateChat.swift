import FluentKit
import SQLKit

/// Live chat (B13/D7): conversations, their numbered messages (one sequence per conversation, unique,
/// given out by bumping `chat_conversations.last_seq` in the inserting transaction) and who of the
/// staff is available.
struct M033_CreateChat: AsyncMigration {
    var name: String { "033_create_chat" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ChatConversationRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("visitor_name", .string, .required)
            .field("visitor_email", .string, .required)
            .field("portal_user_id", .int, .references(PortalUserRecord.schema, "id", onDelete: .setNull))
            .field("visitor_token_hash", .string)
            .field("language", .string, .required)
            .field("state", .string, .required)
            .field("assigned_staff_id", .int, .references(StaffUserRecord.schema, "id", onDelete: .setNull))
            .field("case_id", .int, .references(CaseRecord.schema, "id", onDelete: .setNull))
            .field("inquiry_id", .int, .references(InquiryRecord.schema, "id", onDelete: .setNull))
            .field("last_seq", .int, .required)
            .field("created_at", .datetime, .required)
            .field("last_activity_at", .datetime, .required)
            .field("ended_at", .datetime)
            .create()
        try await database.schema(ChatMessageRecord.schema)
            .field("id", .int, .identifier(auto: true))
            .field("conversation_id", .int, .required,
                   .references(ChatConversationRecord.schema, "id", onDelete: .cascade))
            .field("seq", .int, .required)
            .field("author_kind", .string, .required)
            .field("author_staff_id", .int, .references(StaffUserRecord.schema, "id", onDelete: .setNull))
            .field("author_name", .string, .required)
            .field("staff_only", .bool, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "conversation_id", "seq", name: "chat_messages_conversation_seq")
            .create()
        try await database.schema(ChatAvailabilityRecord.schema)
            .field("staff_id", .int, .identifier(auto: false),
                   .references(StaffUserRecord.schema, "id", onDelete: .cascade))
            .field("available", .bool, .required)
            .field("changed_at", .datetime, .required)
            .create()
        let sql = try database.requireSQL()
        // The console's queue (waiting, oldest first) and a member's own chats.
        try await sql.create(index: "chat_conversations_state").on(ChatConversationRecord.schema)
            .column("state").column("created_at").run()
        try await sql.create(index: "chat_conversations_staff").on(ChatConversationRecord.schema)
            .column("assigned_staff_id").column("state").run()
        try await sql.create(index: "chat_conversations_user").on(ChatConversationRecord.schema)
            .column("portal_user_id").run()
        try await sql.create(index: "chat_conversations_case").on(ChatConversationRecord.schema)
            .column("case_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ChatAvailabilityRecord.schema).delete()
        try await database.schema(ChatMessageRecord.schema).delete()
        try await database.schema(ChatConversationRecord.schema).delete()
    }
}
