import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// E3: everything the deployment holds about one person, found by e-mail address (exactly, ignoring
/// case): the portal users, register contacts and shared-account persons with that address, and what
/// is tied to them — cases they registered or are the primary contact of, messages and files they
/// wrote or uploaded, their inquiries, case events they caused, case reads, outbox rows to them and
/// audit lines they caused or that are about their records. Rows are the stored records as JSON
/// (without password hashes); the web streams them into a ZIP with the files' bytes.
public struct PersonalDataExport: Sendable {
    public struct Person: Sendable {
        public var email: String
        public var portalUserIds: [Int]
        public var contactIds: [Int]
        public var personIds: [Int]
        public var isEmpty: Bool { portalUserIds.isEmpty && contactIds.isEmpty && personIds.isEmpty }
    }

    /// One JSON file of the export: a name and its rows.
    public struct Section: Sendable {
        public var name: String
        public var json: [UInt8]
    }

    public struct FileRef: Sendable {
        public var id: Int
        public var storageKey: String
        public var name: String
    }

    let database: any Database
    public init(database: any Database) { self.database = database }

    public func find(email: String) async throws -> Person {
        let key = email.trimmingCharacters(in: .whitespaces).lowercased()
        let sql = try database.requireSQL()
        struct Row: Decodable { var id: Int }
        func ids(_ table: String) async throws -> [Int] {
            try await sql.raw("SELECT id FROM \(unsafeRaw: table) WHERE lower(email) = \(bind: key) ORDER BY id")
                .all(decoding: Row.self).map(\.id)
        }
        return Person(email: key, portalUserIds: try await ids("portal_users"), contactIds: try await ids("contacts"),
                      personIds: try await ids("account_people"))
    }

    /// The JSON files, in a fixed order.
    public func sections(for person: Person) async throws -> [Section] {
        let users = person.portalUserIds, contacts = person.contactIds, persons = person.personIds
        var sections: [Section] = []
        func add<M: Model>(_ name: String, _ rows: [M], dropping: Set<String> = []) throws {
            sections.append(Section(name: name, json: try Self.json(rows, dropping: dropping)))
        }
        try add("portal_users.json", try await PortalUserRecord.query(on: database).filter(\.$id ~~ users).sort(\.$id).all(),
                dropping: ["passwordHash"])
        try add("contacts.json", try await ContactRecord.query(on: database).filter(\.$id ~~ contacts).sort(\.$id).all())
        try add("contact_customer_links.json", try await ContactCustomerLink.query(on: database).filter(\.$contactId ~~ contacts).sort(\.$id).all())
        try add("contact_object_links.json", try await ContactObjectLink.query(on: database).filter(\.$contactId ~~ contacts).sort(\.$id).all())
        try add("shared_account_persons.json", try await AccountPersonRecord.query(on: database).filter(\.$id ~~ persons).sort(\.$id).all())

        // A shared account's cases and messages belong to the person chosen on them, not to the account.
        let cases = try await CaseRecord.query(on: database).group(.or) { group in
            group.group(.and) { $0.filter(\.$createdByUserId ~~ users).filter(\.$createdByPersonId == nil) }
                .filter(\.$createdByPersonId ~~ persons).filter(\.$primaryContactId ~~ contacts)
                .filter(\.$copyEmail == person.email)
        }.sort(\.$number).all()
        try add("cases.json", cases)
        try add("case_contact_links.json", try await CaseContactLink.query(on: database).filter(\.$contactId ~~ contacts).sort(\.$id).all())
        let messages = try await CaseMessageRecord.query(on: database).group(.or) { group in
            group.group(.and) { $0.filter(\.$authorUserId ~~ users).filter(\.$authorPersonId == nil) }
                .filter(\.$authorPersonId ~~ persons)
        }.sort(\.$id).all()
        try add("messages.json", messages)
        try add("files.json", try await uploadedFiles(users: users))
        try add("inquiries.json", try await InquiryRecord.query(on: database).group(.or) { group in
            group.group(.and) { $0.filter(\.$createdByUserId ~~ users).filter(\.$createdByPersonId == nil) }
                .filter(\.$createdByPersonId ~~ persons).filter(\.$primaryContactId ~~ contacts)
        }.sort(\.$id).all())
        try add("case_events.json", try await CaseEventRecord.query(on: database).filter(\.$portalUserId ~~ users).sort(\.$id).all())
        try add("case_reads.json", try await CaseReadRecord.query(on: database).filter(\.$userId ~~ users).sort(\.$id).all())
        try add("outbox.json", try await OutboxRecord.query(on: database).filter(\.$recipient == person.email).sort(\.$id).all())
        try add("audit_log.json", try await auditLines(person))
        return sections
    }

    /// Files the person's portal accounts uploaded (not removed), to be added with their bytes.
    public func files(for person: Person) async throws -> [FileRef] {
        try await uploadedFiles(users: person.portalUserIds).filter { $0.removedAt == nil }.map {
            FileRef(id: $0.id!, storageKey: $0.storageKey, name: $0.originalName)
        }
    }

    /// Issue 13 (C4): only files the customer may reach — shared, not a task's medium (a person's
    /// own uploads are always shared; staff cannot stop sharing them).
    func uploadedFiles(users: [Int]) async throws -> [StoredFileRecord] {
        try await StoredFileRecord.query(on: database).filter(\.$uploadedByUserId ~~ users)
            .filter(\.$isShared == true).filter(\.$taskId == nil).sort(\.$id).all()
    }

    /// Lines the person's portal accounts caused, and lines about their records (subjects
    /// "portal user <id> …" and "contact <id> …").
    func auditLines(_ person: Person) async throws -> [AuditEventRecord] {
        let sql = try database.requireSQL()
        struct Row: Decodable { var id: Int }
        var ids = Set<Int>()
        let prefixes = person.portalUserIds.map { "portal user \($0) " } + person.contactIds.map { "contact \($0) " }
        for prefix in prefixes {
            // A prefix of digits and words only, so LIKE's wildcards cannot occur in it.
            ids.formUnion(try await sql.raw("SELECT id FROM audit_events WHERE subject LIKE \(bind: prefix + "%")").all(decoding: Row.self).map(\.id))
        }
        return try await AuditEventRecord.query(on: database).group(.or) { group in
            group.group(.and) { $0.filter(\.$actorKind == "portal").filter(\.$actorId ~~ person.portalUserIds) }
                .filter(\.$id ~~ Array(ids))
        }.sort(\.$id).all()
    }

    static func json<M: Model>(_ rows: [M], dropping: Set<String>) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var objects: [Any] = []
        for row in rows {
            guard var object = try JSONSerialization.jsonObject(with: encoder.encode(row)) as? [String: Any] else { continue }
            for key in dropping { object.removeValue(forKey: key) }
            objects.append(object)
        }
        return Array(try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
    }
}
