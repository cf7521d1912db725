import CaseportCore
import FluentKit
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

    /// The case's contacts, primary first, then by name.
    public func linked(caseId: Int) async throws -> [Linked] {
        let links = try await CaseContactLink.query(on: database).filter(\.$caseId == caseId).all()
        guard !links.isEmpty else { return [] }
        let contacts = try await ContactRecord.query(on: database).filter(\.$id ~~ links.map(\.contactId)).all()
        let primary = Set(links.filter(\.isPrimary).map(\.contactId))
        return contacts.map {
            Linked(contactId: $0.id!, name: $0.displayName, email: $0.email, phone: $0.phone, isPrimary: primary.contains($0.id!))
        }.sorted { ($0.isPrimary ? 0 : 1, $0.name.lowercased()) < ($1.isPrimary ? 0 : 1, $1.name.lowercased()) }
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
            MailFacts(contactId: try $0.decode(column: "contact_id", as: Int.self), email: try $0.decode(column: "email", as: String?.self),
                      isActive: try $0.decode(column: "is_active", as: Bool.self),
                      userLanguage: try $0.decode(column: "user_language", as: String?.self),
                      userCaseMailOff: try $0.decode(column: "user_case_mail_off", as: Bool?.self))
        }
    }

    /// Active contacts a case form offers: those linked to the customer (or any of its objects) or to the
    /// object, by name; with neither given, every active contact. At most `limit`.
    public func candidates(customerId: Int?, objectId: Int?, limit: Int = 500) async throws -> [ContactRecord] {
        var ids: Set<Int>?
        if customerId != nil || objectId != nil {
            var found = Set<Int>()
            if let customerId {
                found.formUnion(try await ContactCustomerLink.query(on: database).filter(\.$customerId == customerId).all(\.$contactId))
                let objects = try await ObjectRecord.query(on: database).filter(\.$customerId == customerId).all(\.$id)
                if !objects.isEmpty {
                    found.formUnion(try await ContactObjectLink.query(on: database).filter(\.$objectId ~~ objects.compactMap { $0 })
                        .all(\.$contactId))
                }
            }
            if let objectId {
                found.formUnion(try await ContactObjectLink.query(on: database).filter(\.$objectId == objectId).all(\.$contactId))
            }
            ids = found
        }
        let query = ContactRecord.query(on: database).filter(\.$isActive == true)
        if let ids {
            guard !ids.isEmpty else { return [] }
            query.filter(\.$id ~~ Array(ids))
        }
        return try await query.sort(\.$lastName).sort(\.$firstName).sort(\.$id).limit(limit).all()
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
