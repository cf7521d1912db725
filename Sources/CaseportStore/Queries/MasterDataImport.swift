import CaseportCore
import FluentKit
import Foundation
import SQLKit

/// The database side of a CSV import (D6): looks up what the file's values already match, and
/// writes checked rows with multi-row INSERTs (500 rows a statement) inside the caller's
/// transaction, so an import is all or nothing and 10 000 rows take a handful of statements.
public struct MasterDataImport: Sendable {
    let database: any Database
    static let batch = 500
    /// Keeps IN lists well below both databases' bind limits.
    static let lookupChunk = 500

    public init(database: any Database) {
        self.database = database
    }

    /// What exists for the values the rows name.
    public func known(for rows: [ImportRow], kind: ImportKind) async throws -> ImportKnown {
        let sql = try database.requireSQL()
        var known = ImportKnown()
        var numbers = Set<String>()
        for row in rows {
            switch kind {
            case .customers, .objects, .users: numbers.insert(row["customer_number"])
            case .contacts: numbers.formUnion(ImportRules.customerNumbers(row["customer_numbers"]))
            }
        }
        numbers.remove("")
        for chunk in Array(numbers).chunked(Self.lookupChunk) {
            let found = try await sql.select().column("id").column("customer_number").from(CustomerRecord.schema)
                .where("customer_number", .in, SQLBind.group(Array(chunk))).all()
            for row in found {
                known.customers[try row.decode(column: "customer_number", as: String.self)] = try row.decode(column: "id", as: Int.self)
            }
        }
        switch kind {
        case .customers:
            let codes = Set(rows.map { ImportRules.fold($0["short_code"]) }).subtracting([""])
            for chunk in Array(codes).chunked(Self.lookupChunk) {
                let found = try await sql.select().column("short_code_key").from(CustomerRecord.schema)
                    .where("short_code_key", .in, SQLBind.group(Array(chunk))).all()
                for row in found { known.shortCodes.insert(try row.decode(column: "short_code_key", as: String.self)) }
            }
        case .objects:
            let byId = Dictionary(known.customers.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for chunk in Array(byId.keys).chunked(Self.lookupChunk) {
                let found = try await sql.select().column("customer_id").column("name").from(ObjectRecord.schema)
                    .where("customer_id", .in, SQLBind.group(Array(chunk))).all()
                for row in found {
                    let number = byId[try row.decode(column: "customer_id", as: Int.self)] ?? ""
                    known.objects.insert("\(number)\u{1F}\(ImportRules.fold(try row.decode(column: "name", as: String.self)))")
                }
            }
        case .contacts:
            // As typed and lower-cased, so the e-mail index is used; addresses are nearly always lower-case.
            let emails = Set(rows.flatMap { [$0["email"], ImportRules.fold($0["email"])] }).subtracting([""])
            for chunk in Array(emails).chunked(Self.lookupChunk) {
                let found = try await sql.select().column("email").from(ContactRecord.schema)
                    .where("email", .in, SQLBind.group(Array(chunk))).all()
                for row in found {
                    if let email = try row.decodeOptional(column: "email", as: String.self) { known.contactEmails.insert(ImportRules.fold(email)) }
                }
            }
        case .users:
            var byCustomer: [Int: Set<String>] = [:]
            for row in rows {
                if let id = known.customers[row["customer_number"]] {
                    byCustomer[id, default: []].insert(ImportRules.fold(row["username"]))
                }
            }
            let numberOf = Dictionary(known.customers.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for (customerId, names) in byCustomer {
                for chunk in Array(names).chunked(Self.lookupChunk) {
                    let found = try await sql.select().column("username_key").from(PortalUserRecord.schema)
                        .where("organisation_id", .equal, SQLBind(customerId))
                        .where("username_key", .in, SQLBind.group(Array(chunk))).all()
                    for row in found {
                        known.usernames.insert("\(numberOf[customerId] ?? "")\u{1F}\(try row.decode(column: "username_key", as: String.self))")
                    }
                }
            }
        }
        return known
    }

    /// Writes clean rows. Call inside a transaction and re-check first: `known` must be fresh.
    /// `passwordHash` is given to imported portal users: the hash of a random secret nobody holds,
    /// so they log in only after a set-password link.
    /// Returns the new ids in row order for contacts and users (empty for the other kinds).
    @discardableResult
    public func write(_ rows: [ImportRow], kind: ImportKind, known: ImportKnown, passwordHash: String,
                      now: Date = Date()) async throws -> [Int] {
        let sql = try database.requireSQL()
        var newIds: [Int] = []
        for batch in rows.chunked(Self.batch) {
            switch kind {
            case .customers:
                var insert = sql.insert(into: CustomerRecord.schema)
                    .columns("name", "name_key", "short_code", "short_code_key", "customer_number", "single_user", "is_active", "created_at")
                for row in batch {
                    insert = insert.values([SQLBind(row["name"]), SQLBind(ImportRules.fold(row["name"])), SQLBind(row["short_code"]),
                                            SQLBind(ImportRules.fold(row["short_code"])), SQLBind(row["customer_number"]),
                                            SQLBind(ImportRules.yesNo(row["single_user"]) ?? false), SQLBind(true), SQLBind(now)])
                }
                try await insert.run()
            case .objects:
                var insert = sql.insert(into: ObjectRecord.schema).columns("customer_id", "name", "address", "is_active", "created_at")
                for row in batch {
                    insert = insert.values([SQLBind(known.customers[row["customer_number"]]!), SQLBind(row["name"]),
                                            SQLBind(row["address"]), SQLBind(true), SQLBind(now)])
                }
                try await insert.run()
            case .contacts:
                var insert = sql.insert(into: ContactRecord.schema).columns("first_name", "last_name", "email", "phone", "is_active", "created_at")
                for row in batch {
                    insert = insert.values([SQLBind(row["first_name"]), SQLBind(row["last_name"]), SQLBind(row["email"].nonEmpty),
                                            SQLBind(row["phone"].nonEmpty), SQLBind(true), SQLBind(now)])
                }
                // Ids of one multi-row INSERT are handed out in VALUES order on both databases, so
                // the ascending ids pair up with the batch's rows.
                let ids = try await insert.returning("id").all().map { try $0.decode(column: "id", as: Int.self) }.sorted()
                guard ids.count == batch.count else { throw ImportWriteError.countMismatch }
                newIds += ids
                var links: [(Int, Int)] = []
                for (row, id) in zip(batch, ids) {
                    for number in Set(ImportRules.customerNumbers(row["customer_numbers"])) {
                        links.append((id, known.customers[number]!))
                    }
                }
                for linkBatch in links.chunked(Self.batch) {
                    var linkInsert = sql.insert(into: ContactCustomerLink.schema).columns("contact_id", "customer_id")
                    for (contact, customer) in linkBatch { linkInsert = linkInsert.values([SQLBind(contact), SQLBind(customer)]) }
                    try await linkInsert.run()
                }
            case .users:
                // A user whose e-mail is a contact's is linked to that contact (as self-registration does, A5).
                var contactByEmail: [String: Int] = [:]
                let emails = Set(batch.flatMap { [$0["email"], ImportRules.fold($0["email"])] }).subtracting([""])
                if !emails.isEmpty {
                    let found = try await sql.select().column("id").column("email").from(ContactRecord.schema)
                        .where("email", .in, SQLBind.group(Array(emails))).orderBy("id").all()
                    for row in found {
                        if let email = try row.decodeOptional(column: "email", as: String.self), contactByEmail[ImportRules.fold(email)] == nil {
                            contactByEmail[ImportRules.fold(email)] = try row.decode(column: "id", as: Int.self)
                        }
                    }
                }
                var insert = sql.insert(into: PortalUserRecord.schema)
                    .columns("organisation_id", "username", "username_key", "login_kind", "contact_id", "first_name", "last_name",
                             "email", "phone", "password_hash", "is_admin", "is_shared", "is_active", "created_at")
                for row in batch {
                    let email = ImportRules.fold(row["email"])
                    insert = insert.values([
                        SQLBind(known.customers[row["customer_number"]]!), SQLBind(row["username"]), SQLBind(ImportRules.fold(row["username"])),
                        SQLBind(PortalLoginKind.contact.rawValue), SQLBind(email.isEmpty ? nil : contactByEmail[email]),
                        SQLBind(row["first_name"]), SQLBind(row["last_name"]), SQLBind(row["email"].nonEmpty), SQLBind(row["phone"].nonEmpty),
                        SQLBind(passwordHash), SQLBind(ImportRules.yesNo(row["is_admin"]) ?? false), SQLBind(false), SQLBind(true), SQLBind(now),
                    ])
                }
                // As for contacts: ascending ids pair up with the batch's rows.
                let ids = try await insert.returning("id").all().map { try $0.decode(column: "id", as: Int.self) }.sorted()
                guard ids.count == batch.count else { throw ImportWriteError.countMismatch }
                newIds += ids
            }
        }
        return newIds
    }
}

public enum ImportWriteError: Error {
    case countMismatch
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0 ..< Swift.min($0 + size, count)] }
    }
}
