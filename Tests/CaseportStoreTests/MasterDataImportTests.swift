import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// The database side of the CSV import (D6): what the file's values already match, and rows written
/// in batches with contacts linked to their customers and users to the contact with their address.
final class MasterDataImportTests: StoreTestCase {
    func check(_ csv: String, _ kind: ImportKind) async throws -> (ImportCheck, ImportKnown) {
        let table = try CSVTable.parse(csv)
        let rows = ImportRules.rows(table, kind: kind).rows
        let known = try await MasterDataImport(database: db).known(for: rows, kind: kind)
        return (ImportRules.check(table, kind: kind, known: known), known)
    }

    func importClean(_ csv: String, _ kind: ImportKind) async throws -> [Int] {
        let (checked, known) = try await check(csv, kind)
        XCTAssertTrue(checked.isClean, "\(checked.problemRows.map(\.problems)) \(checked.fileProblems)")
        return try await db.transaction { tx in
            try await MasterDataImport(database: tx).write(checked.rows, kind: kind, known: known, passwordHash: "plain:secret")
        }
    }

    func testImportedRowsAreWrittenLinkedAndThenKnown() async throws {
        try await make.customer("1000", name: "Redan här")
        _ = try await importClean("customer_number,name,short_code,single_user\n2001,Brf Ett,ett,no\n2002,Brf Två,tva,yes\n", .customers)
        let customers = try await CustomerRecord.query(on: db).sort(\.$customerNumber).all()
        XCTAssertEqual(customers.map(\.name), ["Redan här", "Brf Ett", "Brf Två"])
        XCTAssertEqual(customers.map(\.singleUser), [false, false, true])

        _ = try await importClean("customer_number,name,address\n2001,Huset,Gatan 1\n", .objects)
        let objects = try await ObjectRecord.query(on: db).all()
        XCTAssertEqual(objects.map(\.customerId), [customers[1].id!])

        let contactIds = try await importClean(
            "first_name,last_name,email,phone,customer_numbers\nAnna,Lind,anna@example.org,,2001 | 2002\nErik,Holm,,070,\n", .contacts)
        XCTAssertEqual(contactIds.count, 2)
        let anna = try await ContactRecord.find(contactIds[0], on: db)
        XCTAssertEqual(anna?.firstName, "Anna", "new ids pair up with the rows in order")
        let links = try await ContactCustomerLink.query(on: db).filter(\.$contactId == contactIds[0]).all()
        XCTAssertEqual(Set(links.map(\.customerId)), Set([customers[1].id!, customers[2].id!]))

        let userIds = try await importClean(
            "customer_number,username,first_name,last_name,email,phone,is_admin\n2001,anna,Anna,Lind,anna@example.org,,yes\n", .users)
        let user = try await PortalUserRecord.find(userIds.first, on: db)
        XCTAssertEqual(user?.contactId, contactIds[0], "linked to the contact with the same address")
        XCTAssertEqual(user?.isAdmin, true)
        XCTAssertEqual(user?.passwordHash, "plain:secret")

        let (again, known) = try await check("customer_number,name,short_code\n2001,Brf Ett,ETT\n", .customers)
        XCTAssertEqual(known.customers["2001"], customers[1].id)
        XCTAssertTrue(known.shortCodes.contains("ett"))
        XCTAssertFalse(again.isClean, "an existing customer number or short code is a problem, not a second row")
        let (_, users) = try await check("customer_number,username,first_name,last_name\n2001,ANNA,A,L\n", .users)
        XCTAssertTrue(users.usernames.contains("2001\u{1F}anna"))
        let (_, contacts) = try await check("first_name,last_name,email\nX,Y,anna@example.org\n", .contacts)
        XCTAssertTrue(contacts.contactEmails.contains("anna@example.org"))
    }
}
