import FluentKit
import Foundation
import SQLKit

public enum MessageAuthorKind: String, Codable, Sendable {
    case customer
    case staff
    /// Written by Caseport itself, e.g. "file uploaded".
    case system
}

/// A message on a case. `isInternal` marks staff notes, which no portal query ever returns.
public final class CaseMessageRecord: Model, @unchecked Sendable {
    public static let schema = "case_messages"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "case_id") public var caseId: Int
    @Field(key: "author_kind") public var authorKind: MessageAuthorKind
    @OptionalField(key: "author_user_id") public var authorUserId: Int?
    @OptionalField(key: "author_staff_id") public var authorStaffId: Int?
    @OptionalField(key: "author_person_id") public var authorPersonId: Int?
    @Field(key: "author_name") public var authorName: String
    @Field(key: "body") public var body: String
    @Field(key: "is_internal") public var isInternal: Bool
    @Field(key: "created_at") public var createdAt: Date
    /// Issue 12 (M030): a message the system writes (a file uploaded or removed, a case closed as
    /// approved) keeps its text's locale key and parameters, so each reader reads it in their own
    /// language; `body` is the text in the language it was written in (search, mail, older readers).
    @OptionalField(key: "text_key") public var textKey: String?
    @OptionalField(key: "text_params") public var textParams: String?
    public init() {}

    /// A message read by plain SQL (`SELECT` of the columns by name), for reading only.
    convenience init(row: any SQLRow) throws {
        self.init()
        id = try row.decode(column: "id", as: Int.self)
        caseId = try row.decode(column: "case_id", as: Int.self)
        let kind = try row.decode(column: "author_kind", as: String.self)
        guard let author = MessageAuthorKind(rawValue: kind) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown author kind \(kind)"))
        }
        authorKind = author
        authorUserId = try row.decodeOptional(column: "author_user_id", as: Int.self)
        authorStaffId = try row.decodeOptional(column: "author_staff_id", as: Int.self)
        authorPersonId = try row.decodeOptional(column: "author_person_id", as: Int.self)
        authorName = try row.decode(column: "author_name", as: String.self)
        body = try row.decode(column: "body", as: String.self)
        isInternal = try row.decode(column: "is_internal", as: Bool.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
        textKey = try row.decodeOptional(column: "text_key", as: String.self)
        textParams = try row.decodeOptional(column: "text_params", as: String.self)
    }

    /// The text for a reader: the locale key rendered by `translate` (with `{name}` style parameters),
    /// or the stored body for a message without a key (every message written before M030).
    public func text(_ translate: (String) -> String) -> String {
        MessageText.render(key: textKey, params: textParams, body: body, translate)
    }
}

/// Issue 12: a system message's text as a locale key and parameters (stored in `case_messages`).
public struct MessageText: Sendable, Equatable {
    public var key: String
    public var params: [String: String]

    public init(_ key: String, _ params: [String: String] = [:]) {
        self.key = key
        self.params = params
    }

    /// The parameters as stored (a JSON object).
    var storedParams: String {
        (try? String(decoding: JSONEncoder().encode(params), as: UTF8.self)) ?? "{}"
    }

    /// The text in the language `translate` reads, `body` when there is no key (or the key is unknown).
    public static func render(key: String?, params: String?, body: String, _ translate: (String) -> String) -> String {
        guard let key, !key.isEmpty else { return body }
        let template = translate(key)
        guard template != key else { return body }
        let values = params.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        return values.reduce(template) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }
}

/// A stored file: on a case, or on a customer or object (B9). The bytes live in file storage under
/// `storageKey`, a generated name; the uploaded name is kept only for display and download.
public final class StoredFileRecord: Model, @unchecked Sendable {
    public static let schema = "files"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @OptionalField(key: "case_id") public var caseId: Int?
    @OptionalField(key: "customer_id") public var customerId: Int?
    @OptionalField(key: "object_id") public var objectId: Int?
    @Field(key: "storage_key") public var storageKey: String
    @Field(key: "original_name") public var originalName: String
    @Field(key: "content_type") public var contentType: String
    @Field(key: "byte_size") public var byteSize: Int
    @OptionalField(key: "uploaded_by_user_id") public var uploadedByUserId: Int?
    @OptionalField(key: "uploaded_by_staff_id") public var uploadedByStaffId: Int?
    @Field(key: "uploader_name") public var uploaderName: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "removed_at") public var removedAt: Date?
    /// The message the file came with (M031): a reply's attachments, or an upload's own line.
    @OptionalField(key: "message_id") public var messageId: Int?
    /// Issue 13 (M034): the document library. `category` is a `CaseDocumentCategory` (nil: a file of
    /// the conversation); `isShared` false keeps a file from the customer until staff share it (files
    /// from before M034 and the conversation's files are shared). Task media have `taskId`; a file a
    /// supplier sent has `supplierId` until staff review it (`reviewedAt`).
    @OptionalField(key: "category") public var category: String?
    @OptionalField(key: "title") public var title: String?
    @OptionalField(key: "is_shared") public var isShared: Bool?
    @OptionalField(key: "shared_at") public var sharedAt: Date?
    @OptionalField(key: "task_id") public var taskId: Int?
    @OptionalField(key: "supplier_id") public var supplierId: Int?
    @OptionalField(key: "reviewed_at") public var reviewedAt: Date?
    /// A new file is shared unless the caller says otherwise (the column's default; on SQLite an unset
    /// field is inserted as NULL, which the NOT NULL column refuses). Rows read back overwrite it.
    public init() { isShared = true }
}

/// When a portal user last opened a case; drives the "new information" marker (B1).
public final class CaseReadRecord: Model, @unchecked Sendable {
    public static let schema = "case_reads"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "user_id") public var userId: Int
    @Field(key: "case_id") public var caseId: Int
    @Field(key: "seen_at") public var seenAt: Date
    public init() {}
}

/// A person saved on a shared account (A8), picked as author of cases and messages.
public final class AccountPersonRecord: Model, @unchecked Sendable {
    public static let schema = "account_people"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "user_id") public var userId: Int
    @Field(key: "first_name") public var firstName: String
    @Field(key: "last_name") public var lastName: String
    @OptionalField(key: "email") public var email: String?
    @OptionalField(key: "phone") public var phone: String?
    @Field(key: "created_at") public var createdAt: Date
    public init() {}
    public var displayName: String { "\(firstName) \(lastName)".trimmingCharacters(in: .whitespaces) }
}

/// A notification waiting to be sent (E1). Written in the same transaction as the change that
/// causes it; `OutboxQueue` hands due rows to the delivery worker. Status: pending → sending → sent,
/// or back to pending with a later `nextAttemptAt`, or failed after too many attempts.
public final class OutboxRecord: Model, @unchecked Sendable {
    public static let schema = "outbox"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    /// An `OutboxChannel` ("email" or "sms"); a string, so a row of an unknown channel fails rather than vanishes.
    @Field(key: "channel") public var channel: String
    /// An `OutboxKind`, e.g. "case_copy", "login_details", "registration".
    @Field(key: "kind") public var kind: String
    @Field(key: "recipient") public var recipient: String
    @Field(key: "language") public var language: String
    @Field(key: "subject") public var subject: String
    @Field(key: "body") public var body: String
    @OptionalField(key: "case_id") public var caseId: Int?
    @Field(key: "status") public var status: String
    @Field(key: "attempts") public var attempts: Int
    @OptionalField(key: "last_error") public var lastError: String?
    @Field(key: "created_at") public var createdAt: Date
    /// Unix seconds: not handed out before this; while `sending`, the claim lasts until `claimedUntil`.
    @Field(key: "next_attempt_at") public var nextAttemptAt: Double
    @OptionalField(key: "claimed_until") public var claimedUntil: Double?
    @OptionalField(key: "sent_at") public var sentAt: Double?
    public init() {}
    public init(channel: OutboxChannel = .email, kind: OutboxKind, recipient: String, language: String, subject: String,
                body: String, caseId: Int? = nil) {
        self.channel = channel.rawValue
        self.kind = kind.rawValue
        self.recipient = recipient
        self.language = language
        self.subject = subject
        self.body = body
        self.caseId = caseId
        self.status = "pending"
        self.attempts = 0
        self.createdAt = Date()
        self.nextAttemptAt = 0
    }
}

extension OutboxRecord {
    /// Queues new rows on `database` (the transaction of the change that causes them) and gives each its
    /// id: what `create(on:)` writes for a new row, without Fluent's reflection over the model's fields
    /// (issue 17 point 5: every case write queues its notices here).
    public static func insert(_ rows: [OutboxRecord], on database: any Database) async throws {
        let sql = try database.requireSQL()
        // One statement a row: RETURNING's order is not promised for several rows, and each row gets its id.
        for row in rows {
            guard let returned = try await sql.raw("""
                INSERT INTO outbox (channel, kind, recipient, language, subject, body, case_id, status, attempts, last_error,
                                    created_at, next_attempt_at, claimed_until, sent_at)
                VALUES (\(bind: row.channel), \(bind: row.kind), \(bind: row.recipient), \(bind: row.language),
                        \(bind: row.subject), \(bind: row.body), \(bind: row.caseId), \(bind: row.status), \(bind: row.attempts),
                        \(bind: row.lastError), \(bind: row.createdAt), \(bind: row.nextAttemptAt), \(bind: row.claimedUntil),
                        \(bind: row.sentAt))
                RETURNING id
                """).first() else { throw StoreError.insertReturnedNothing(schema) }
            row.id = try returned.decode(column: "id", as: Int.self)
            row.$id.exists = true
        }
    }
}

/// An e-mail the mail gate could not place on a case (B7): kept whole for staff, never dropped. Since
/// M018 the message is a file in storage (`rawKey`); older rows hold it in `raw`.
public final class UnplacedMailRecord: Model, @unchecked Sendable {
    public static let schema = "unplaced_mail"
    @ID(custom: "id", generatedBy: .database) public var id: Int?
    @Field(key: "received_at") public var receivedAt: Double
    @Field(key: "sender") public var sender: String
    @Field(key: "subject") public var subject: String
    @Field(key: "reason") public var reason: String
    @Field(key: "raw") public var raw: String
    @OptionalField(key: "raw_key") public var rawKey: String?
    @OptionalField(key: "raw_bytes") public var rawBytes: Int?
    @OptionalField(key: "handled_at") public var handledAt: Double?
    public init() {}
}
