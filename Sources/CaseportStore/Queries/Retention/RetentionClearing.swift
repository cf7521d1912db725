import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// E3: removes one case's personal data of the due kinds, inside the caller's transaction. What
/// dashboards count stays: the case row with its number, status, type, category, priority, customer,
/// object, handler, dates and version; messages and files as rows (anonymise) with their dates; every
/// case event with its kind and time. What goes: names, e-mail addresses, phone numbers, texts and
/// file bytes — see each step. Storage objects are deleted by the caller after the commit (`fileKeys`).
public struct RetentionClearing: Sendable {
    let database: any Database
    /// Written where a name or text was: "Anonymised" in the deployment's language; "" when deleting.
    let placeholder: String

    public init(database: any Database, placeholder: String) {
        self.database = database
        self.placeholder = placeholder
    }

    public struct Cleared: Sendable {
        /// Storage keys whose objects must be deleted once the transaction has committed.
        public var fileKeys: [String] = []
        /// Register contacts and shared-account persons anonymised because nothing else needs them.
        public var people = 0
    }

    public func clear(caseId: Int, due: [RetentionPolicy.Kind: RetentionPolicy.Action], now: Date) async throws -> Cleared {
        let sql = try database.requireSQL()
        var cleared = Cleared()
        var events = Set<RetentionPolicy.Kind>()
        if let action = due[.contactDetails] {
            cleared.people = try await clearContactDetails(caseId: caseId, text: text(for: action), sql: sql)
            events.insert(.contactDetails)
        }
        if let action = due[.messageTexts] {
            try await clearTexts(caseId: caseId, action: action, sql: sql)
            events.insert(.messageTexts)
        }
        if let action = due[.files] {
            cleared.fileKeys = try await clearFiles(caseId: caseId, action: action, now: now, sql: sql)
            events.insert(.files)
        }
        if let action = due[.chat] {
            try await clearChat(caseId: caseId, action: action, sql: sql)
            events.insert(.chat)
        }
        try await rewriteEvents(caseId: caseId, kinds: events)
        for kind in due.keys {
            try await sql.raw("""
                UPDATE cases SET \(unsafeRaw: RetentionCandidates.column(of: kind)) = \(bind: now.timeIntervalSince1970)
                WHERE id = \(bind: caseId)
                """).run()
        }
        if events.contains(.messageTexts) || events.contains(.contactDetails) {
            try await refreshSearch(caseId: caseId, sql: sql)
        }
        return cleared
    }

    func text(for action: RetentionPolicy.Action) -> String { action == .anonymise ? placeholder : "" }

    // MARK: contact details

    /// The case's own addresses and names, the author names of customers on its messages, files and
    /// events, its inquiry's sender, its outbox rows (they hold addresses), and then the people tied to
    /// nothing but cleared cases: a register contact without customer, object or login, a person saved
    /// on a shared account. Audit lines naming those people lose the naming field.
    func clearContactDetails(caseId: Int, text: String, sql: any SQLDatabase) async throws -> Int {
        // Only the released people's names and addresses leave the audit log and the outbox: the case's
        // copy address is often a login's own, whose account (and its history) stays.
        let people = try await releasedPeople(caseId: caseId, sql: sql)
        let strings = people.strings

        try await sql.raw("""
            UPDATE cases SET copy_email = NULL, sms_phone = NULL, reference_name = NULL, created_by_name = \(bind: text)
            WHERE id = \(bind: caseId)
            """).run()
        try await sql.raw("""
            UPDATE case_messages SET author_name = \(bind: text)
            WHERE case_id = \(bind: caseId) AND author_kind <> \(bind: MessageAuthorKind.staff.rawValue)
            """).run()
        try await sql.raw("""
            UPDATE files SET uploader_name = \(bind: text) WHERE case_id = \(bind: caseId) AND uploaded_by_staff_id IS NULL
            """).run()
        try await sql.raw("UPDATE case_events SET actor_name = \(bind: text) WHERE case_id = \(bind: caseId) AND staff_id IS NULL").run()
        try await sql.raw("""
            UPDATE inquiries SET sender_name = \(bind: text), sender_email = NULL, sender_phone = NULL, copy_email = NULL,
              sms_phone = NULL, reference_name = NULL
            WHERE case_id = \(bind: caseId)
            """).run()
        try await deleteOutbox(caseId: caseId, sql: sql)

        for id in people.contactIds {
            try await sql.raw("""
                UPDATE contacts SET first_name = \(bind: text), last_name = '', email = NULL, phone = NULL, is_active = \(false)
                WHERE id = \(bind: id)
                """).run()
        }
        for id in people.personIds {
            try await sql.raw("""
                UPDATE account_people SET first_name = \(bind: text), last_name = '', email = NULL, phone = NULL WHERE id = \(bind: id)
                """).run()
        }
        for value in strings where value.count >= 5 {
            // Mail and SMS to the person that is not tied to the case (already sent or given up).
            try await sql.raw("""
                DELETE FROM outbox WHERE recipient = \(bind: value) AND status NOT IN ('pending', 'sending')
                """).run()
            try await AuditLog(database: database).redact(containing: value)
        }
        return people.contactIds.count + people.personIds.count
    }

    struct Released {
        var contactIds: [Int] = []
        var personIds: [Int] = []
        var strings: Set<String> = []
    }

    /// The case's contacts and shared-account persons that nothing else needs once this case is cleared.
    func releasedPeople(caseId: Int, sql: any SQLDatabase) async throws -> Released {
        var released = Released()
        struct Person: Decodable { var id: Int; var first_name: String; var last_name: String; var email: String?; var phone: String? }
        let contacts = try await sql.raw("""
            SELECT p.id, p.first_name, p.last_name, p.email, p.phone FROM contacts p
            WHERE (p.id IN (SELECT contact_id FROM case_contacts WHERE case_id = \(bind: caseId))
                   OR p.id IN (SELECT primary_contact_id FROM cases WHERE id = \(bind: caseId)))
              AND NOT EXISTS (SELECT 1 FROM contact_customers l WHERE l.contact_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM contact_objects l WHERE l.contact_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM portal_users u WHERE u.contact_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM case_contacts l JOIN cases o ON o.id = l.case_id
                              WHERE l.contact_id = p.id AND o.id <> \(bind: caseId) AND o.retention_contacts_at IS NULL)
              AND NOT EXISTS (SELECT 1 FROM cases o WHERE o.primary_contact_id = p.id AND o.id <> \(bind: caseId)
                              AND o.retention_contacts_at IS NULL)
              AND NOT EXISTS (SELECT 1 FROM inquiries i WHERE i.primary_contact_id = p.id AND i.case_id IS NULL)
            """).all(decoding: Person.self)
        let persons = try await sql.raw("""
            SELECT p.id, p.first_name, p.last_name, p.email, p.phone FROM account_people p
            WHERE (p.id IN (SELECT created_by_person_id FROM cases WHERE id = \(bind: caseId))
                   OR p.id IN (SELECT author_person_id FROM case_messages WHERE case_id = \(bind: caseId))
                   OR p.id IN (SELECT created_by_person_id FROM inquiries WHERE case_id = \(bind: caseId)))
              AND NOT EXISTS (SELECT 1 FROM cases o WHERE o.created_by_person_id = p.id AND o.id <> \(bind: caseId)
                              AND o.retention_contacts_at IS NULL)
              AND NOT EXISTS (SELECT 1 FROM case_messages m JOIN cases o ON o.id = m.case_id
                              WHERE m.author_person_id = p.id AND o.id <> \(bind: caseId) AND o.retention_contacts_at IS NULL)
              AND NOT EXISTS (SELECT 1 FROM inquiries i WHERE i.created_by_person_id = p.id AND i.case_id IS NULL)
            """).all(decoding: Person.self)
        for person in contacts + persons {
            let name = "\(person.first_name) \(person.last_name)".trimmingCharacters(in: .whitespaces)
            released.strings.formUnion([name, person.email, person.phone].compactMap { $0 }.filter { !$0.isEmpty && $0 != placeholder })
        }
        released.contactIds = contacts.map(\.id)
        released.personIds = persons.map(\.id)
        return released
    }

    /// Outbox rows of the case that are done (sent or given up): they hold addresses and texts.
    func deleteOutbox(caseId: Int, sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM outbox WHERE case_id = \(bind: caseId) AND status NOT IN ('pending', 'sending')").run()
    }

    // MARK: chat

    /// The chats attached to the case (issue 15): delete takes every line; anonymise keeps the lines
    /// (their number and time) with their text and the customer's name replaced. Either way the
    /// visitor's name, address and cookie hash leave the conversation row, which stays for the counts.
    func clearChat(caseId: Int, action: RetentionPolicy.Action, sql: any SQLDatabase) async throws {
        let text = self.text(for: action)
        if action == .delete {
            try await sql.raw("""
                DELETE FROM chat_messages WHERE conversation_id IN (SELECT id FROM chat_conversations WHERE case_id = \(bind: caseId))
                """).run()
        } else {
            try await sql.raw("""
                UPDATE chat_messages SET body = \(bind: text),
                  author_name = CASE WHEN author_kind = \(bind: ChatAuthorKind.customer.rawValue) THEN \(bind: text) ELSE author_name END
                WHERE conversation_id IN (SELECT id FROM chat_conversations WHERE case_id = \(bind: caseId))
                """).run()
        }
        try await sql.raw("""
            UPDATE chat_conversations SET visitor_name = \(bind: text), visitor_email = '', visitor_token_hash = NULL
            WHERE case_id = \(bind: caseId)
            """).run()
    }

    // MARK: texts

    /// The description, every message body (internal notes too), the type's field values, the inquiry's
    /// description and the outbox rows (they quote the texts). Anonymise keeps the message rows.
    func clearTexts(caseId: Int, action: RetentionPolicy.Action, sql: any SQLDatabase) async throws {
        let text = self.text(for: action)
        try await sql.raw("UPDATE cases SET description = \(bind: text) WHERE id = \(bind: caseId)").run()
        if action == .delete {
            try await sql.raw("DELETE FROM case_messages WHERE case_id = \(bind: caseId)").run()
        } else {
            try await sql.raw("UPDATE case_messages SET body = \(bind: text) WHERE case_id = \(bind: caseId)").run()
        }
        try await sql.raw("UPDATE case_field_values SET value = \(bind: text) WHERE case_id = \(bind: caseId)").run()
        try await sql.raw("UPDATE inquiries SET description = \(bind: text), field_values = '[]' WHERE case_id = \(bind: caseId)").run()
        try await deleteOutbox(caseId: caseId, sql: sql)
    }

    // MARK: files

    /// Every file of the case: the bytes go (after commit); anonymise keeps the row as removed, without its name.
    func clearFiles(caseId: Int, action: RetentionPolicy.Action, now: Date, sql: any SQLDatabase) async throws -> [String] {
        struct Row: Decodable { var storage_key: String }
        let keys = try await sql.raw("""
            SELECT storage_key FROM files WHERE case_id = \(bind: caseId) AND (removed_at IS NULL OR original_name <> \(bind: placeholder))
            """).all(decoding: Row.self).map(\.storage_key)
        if action == .delete {
            try await sql.raw("DELETE FROM files WHERE case_id = \(bind: caseId)").run()
        } else {
            try await StoredFileRecord.query(on: database).filter(\.$caseId == caseId)
                .set(\.$originalName, to: placeholder).set(\.$uploaderName, to: placeholder).set(\.$removedAt, to: now).update()
        }
        return keys
    }

    // MARK: events and search

    /// After a run on SQLite: FTS5 keeps a deleted document's words in its index pages until segments
    /// are merged; `optimize` merges them now, so the removed text leaves the file's index too (both
    /// indexes: the scoped one holds the same words, M048).
    public static func compactSearch(on database: any Database) async throws {
        let sql = try database.requireSQL()
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.raw("INSERT INTO case_search(case_search) VALUES('optimize')").run()
        try await sql.raw("INSERT INTO case_search_scoped(case_search_scoped) VALUES('optimize')").run()
    }

    /// Payloads that carry a name of a cleared kind are rewritten (`CaseEvent.withoutPersonalData`).
    func rewriteEvents(caseId: Int, kinds: Set<RetentionPolicy.Kind>) async throws {
        guard !kinds.isEmpty else { return }
        let records = try await CaseEventRecord.query(on: database).filter(\.$caseId == caseId).all()
        for record in records {
            guard let event = try? CaseEvent(kind: record.kind, payload: record.payload) else { continue }
            let scrubbed = event.withoutPersonalData(kinds, placeholder: placeholder)
            guard scrubbed != event else { continue }
            record.payload = scrubbed.encodedPayload()
            try await record.update(on: database)
        }
    }

    /// Re-indexes the case; the words that only this case's old text had leave `search_words` (the
    /// expansion list of a search prefix, M015 and M046), so no removed name stays there either.
    func refreshSearch(caseId: Int, sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "postgresql" else {
            struct Document: Decodable { var body: String }
            let before = try await sql.raw("SELECT body FROM case_search WHERE rowid = \(bind: caseId)").first(decoding: Document.self)
            var words: [String] = []
            if let before { words = try await CaseSearchIndex.sqliteWords(of: before.body, on: sql) }
            try await CaseSearchIndex.refresh(caseId: caseId, on: database)
            for chunk in stride(from: 0, to: words.count, by: 200).map({ Array(words[$0..<min($0 + 200, words.count)]) }) {
                try await sql.raw("""
                    DELETE FROM search_words WHERE word IN (\(binds: chunk))
                    AND NOT EXISTS (SELECT 1 FROM case_search WHERE case_search MATCH '"' || search_words.word || '"')
                    """).run()
            }
            return
        }
        struct Word: Decodable { var w: String }
        let before = try await sql.raw("""
            SELECT unnest(tsvector_to_array(document)) AS w FROM case_search WHERE case_id = \(bind: caseId)
            """).all(decoding: Word.self).map(\.w)
        try await CaseSearchIndex.refresh(caseId: caseId, on: database)
        for chunk in stride(from: 0, to: before.count, by: 200).map({ Array(before[$0..<min($0 + 200, before.count)]) }) {
            try await sql.raw("""
                DELETE FROM search_words WHERE word IN (\(binds: chunk))
                AND NOT EXISTS (SELECT 1 FROM case_search s WHERE s.document @@ to_tsquery('simple', quote_literal(search_words.word)))
                """).run()
        }
    }
}
