import CaseportCore
import FluentKit
import SQLKit
import Foundation

/// The contacts linked to a case (A7: a contact's users see the cases it is linked to). The primary
/// contact is one of them and stays linked.
public struct CaseContacts: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public struct Linked: Sendable, Equatable {
        public var contactId: Int
        public var name: String
        public var email: String?
        public var phone: String?
        public var isPrimary: Bool
    }

    /// The case's contacts, primary first, then by name. One statement (issue 17, session 13: the links and
    /// the contacts were two model queries on every staff case page); a contact linked twice is listed once,
    /// primary when either link is.
    public func linked(caseId: Int) async throws -> [Linked] {
        let rows = try await database.requireSQL().raw("""
            SELECT cc.contact_id, cc.is_primary, ct.first_name, ct.last_name, ct.email, ct.phone
            FROM case_contacts cc JOIN contacts ct ON ct.id = cc.contact_id
            WHERE cc.case_id = \(bind: caseId)
            """).all()
        var byContact: [Int: Linked] = [:]
        for row in rows {
            let id = try row.decode(column: "contact_id", as: Int.self)
            let isPrimary = try row.decode(column: "is_primary", as: Bool.self)
            if byContact[id] != nil {
                if isPrimary { byContact[id]?.isPrimary = true }
                continue
            }
            let name = "\(try row.decode(column: "first_name", as: String.self)) \(try row.decode(column: "last_name", as: String.self))"
                .trimmingCharacters(in: .whitespaces)
            byContact[id] = Linked(contactId: id, name: name, email: try row.decodeOptional(column: "email", as: String.self),
                                   phone: try row.decodeOptional(column: "phone", as: String.self), isPrimary: isPrimary)
        }
        return byContact.values.sorted { ($0.isPrimary ? 0 : 1, $0.name.lowercased()) < ($1.isPrimary ? 0 : 1, $1.name.lowercased()) }
    }

    /// What mail about a case to its linked contacts needs (issue 11, B7), in link order (primary first,
    /// then as linked): each contact's address and whether it is active, and the language and mail
    /// opt-out of its portal user (the first active one by id; nil without one).
    public struct MailFacts: Sendable, Equatable {
        public var contactId: Int
        public var email: String?
        public var isActive: Bool
        public var userLanguage: String?
        public var userCaseMailOff: Bool?
    }

    /// One query (issue 17 point 5: three model queries on every new staff case and every case mail).
    public func mailFacts(caseId: Int) async throws -> [MailFacts] {
        let user = "FROM portal_users u WHERE u.contact_id = cc.contact_id AND u.is_active = true ORDER BY u.id LIMIT 1"
        let rows = try await database.requireSQL().raw("""
            SELECT cc.contact_id, ct.email, ct.is_active,
                   (SELECT u.language \(unsafeRaw: user)) AS user_language,
                   (SELECT u.case_mail_off \(unsafeRaw: user)) AS user_case_mail_off
            FROM case_contacts cc JOIN contacts ct ON ct.id = cc.contact_id
            WHERE cc.case_id = \(bind: caseId)
            ORDER BY cc.is_primary DESC, cc.id
            """).all()
        return try rows.map {
            MailFacts(contactId: try $0.decode(column: "contact_id", as: Int.self), email: try $0.decodeOptional(column: "email", as: String.self),
                      isActive: try $0.decode(column: "is_active", as: Bool.self),
                      userLanguage: try $0.decodeOptional(column: "user_language", as: String.self),
                      userCaseMailOff: try $0.decodeOptional(column: "user_case_mail_off", as: Bool.self))
        }
    }

    /// Active contacts a case form offers: those linked to the customer (or any of its objects) or to the
    /// object, by name; with neither given, every active contact. At most `limit`. One statement (issue 17,
    /// session 13: it was up to five model queries on every staff case page); the records carry the
    /// contact's columns, read by column, and are not for saving.
    public func candidates(customerId: Int?, objectId: Int?, limit: Int = 500) async throws -> [ContactRecord] {
        var linkedTo: [SQLQueryString] = []
        if let customerId {
            linkedTo.append("SELECT contact_id FROM contact_customers WHERE customer_id = \(bind: customerId)")
            linkedTo.append("""
                SELECT co.contact_id FROM contact_objects co JOIN objects o ON o.id = co.object_id
                WHERE o.customer_id = \(bind: customerId)
                """)
        }
        if let objectId { linkedTo.append("SELECT contact_id FROM contact_objects WHERE object_id = \(bind: objectId)") }
        let among: SQLQueryString = linkedTo.isEmpty ? "" : "AND id IN (\(linkedTo.joined(separator: " UNION ")))"
        let rows = try await database.requireSQL().raw("""
            SELECT id, first_name, last_name, email, phone, is_active FROM contacts
            WHERE is_active = \(true) \(among)
            ORDER BY last_name, first_name, id
            LIMIT \(literal: limit)
            """).all()
        return try rows.map { row in
            let contact = ContactRecord()
            contact.id = try row.decode(column: "id", as: Int.self)
            contact.firstName = try row.decode(column: "first_name", as: String.self)
            contact.lastName = try row.decode(column: "last_name", as: String.self)
            contact.email = try row.decodeOptional(column: "email", as: String.self)
            contact.phone = try row.decodeOptional(column: "phone", as: String.self)
            contact.isActive = try row.decode(column: "is_active", as: Bool.self)
            return contact
        }
    }

    public func link(caseId: Int, contactId: Int) async throws {
        try await CaseContactLink(caseId: caseId, contactId: contactId, isPrimary: false).create(on: database)
    }

    /// Removes a link that is not the primary one; false when there was none.
    public func unlink(caseId: Int, contactId: Int) async throws -> Bool {
        guard let link = try await CaseContactLink.query(on: database).filter(\.$caseId == caseId)
            .filter(\.$contactId == contactId).filter(\.$isPrimary == false).first() else { return false }
        try await link.delete(on: database)
        return true
    }
}

extension ContactRecord {
    /// "First Last", as lists and events name a contact.
    public var displayName: String { "\(firstName) \(lastName)".trimmingCharacters(in: .whitespaces) }
}
