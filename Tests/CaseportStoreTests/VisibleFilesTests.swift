import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// Files through the access rule: case files follow the case rule (A7), customer and object files
/// follow `FileVisibility` (B9); a removed file is never found.
final class VisibleFilesTests: StoreTestCase {
    func testFindAppliesTheCaseRuleToCaseFilesAndFileVisibilityToRegisterFiles() async throws {
        let c1 = try await make.customer("1"), c2 = try await make.customer("2")
        let o1 = try await make.object(of: c1, "Ett"), o2 = try await make.object(of: c2, "Två")
        let case1 = try await make.case("Kund 1:s fall", customer: c1)
        let case2 = try await make.case("Kund 2:s fall", customer: c2)
        let onCase1 = try await make.file(case: case1, name: "a.pdf")
        let onCase2 = try await make.file(case: case2, name: "b.pdf")
        let onCustomer1 = try await make.file(customer: c1, name: "c.pdf")
        let onObject1 = try await make.file(object: o1, name: "d.pdf")
        let onObject2 = try await make.file(object: o2, name: "e.pdf")

        let invoiceCustomer1 = PortalViewer.invoiceCustomer(customerId: c1.id!)
        let files = VisibleFiles(database: db)
        func finds(_ file: StoredFileRecord, _ viewer: PortalViewer) async throws -> Bool {
            try await files.find(fileId: file.id!, cases: CaseVisibility(for: viewer), register: FileVisibility(for: viewer)) != nil
        }
        var found = try await finds(onCase1, invoiceCustomer1)
        XCTAssertTrue(found, "a file on a case the viewer sees")
        found = try await finds(onCase2, invoiceCustomer1)
        XCTAssertFalse(found, "a file on another customer's case")
        found = try await finds(onCustomer1, invoiceCustomer1)
        XCTAssertTrue(found, "the customer's own document")
        found = try await finds(onObject1, invoiceCustomer1)
        XCTAssertTrue(found, "a document of the customer's object")
        found = try await finds(onObject2, invoiceCustomer1)
        XCTAssertFalse(found, "another customer's object document")

        let object2 = PortalViewer.object(objectId: o2.id!, customerId: c2.id!)
        found = try await finds(onObject2, object2)
        XCTAssertTrue(found)
        found = try await finds(onCustomer1, object2)
        XCTAssertFalse(found)
        found = try await finds(onCase1, .disabled)
        XCTAssertFalse(found, "a disabled account finds nothing")

        onCustomer1.removedAt = Date()
        try await onCustomer1.update(on: db)
        found = try await finds(onCustomer1, invoiceCustomer1)
        XCTAssertFalse(found, "a removed file is gone for everyone")
    }

    func testRegisterFilesAreScopedNewestFirstAndPaged() async throws {
        let c1 = try await make.customer("1", name: "Solgläntan"), c2 = try await make.customer("2")
        let o1 = try await make.object(of: c1, "Huset")
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        _ = try await make.file(customer: c1, name: "old.pdf", at: start)
        _ = try await make.file(object: o1, name: "middle.pdf", at: start.addingTimeInterval(60))
        _ = try await make.file(customer: c1, name: "new.pdf", at: start.addingTimeInterval(120))
        _ = try await make.file(customer: c2, name: "foreign.pdf", at: start.addingTimeInterval(180))
        let caseFile = try await make.case("Fall", customer: c1)
        _ = try await make.file(case: caseFile, name: "case.pdf", at: start.addingTimeInterval(240))

        let files = VisibleFiles(database: db)
        let visibility = FileVisibility(for: .invoiceCustomer(customerId: c1.id!))
        let all = try await files.registerFiles(for: visibility)
        XCTAssertEqual(all.map(\.originalName), ["new.pdf", "middle.pdf", "old.pdf"], "no case file, no foreign file")
        XCTAssertEqual(all.first?.customerName, "Solgläntan")
        XCTAssertEqual(all[1].objectName, "Huset")
        let second = try await files.registerFiles(for: visibility, offset: 1, limit: 1)
        XCTAssertEqual(second.map(\.originalName), ["middle.pdf"])
        let nothing = try await files.registerFiles(for: FileVisibility())
        XCTAssertEqual(nothing, [], "a viewer who sees nothing gets nothing, not everything")
    }

    func testOnlyTheUploaderRemovesACaseFileAndEachChangeWritesAMessage() async throws {
        let customer = try await make.customer("1")
        let caseRecord = try await make.case("Fall", customer: customer)
        let files = VisibleFiles(database: db)
        let people = try await make.authors()
        let author = people.customer, anna = people.userId
        let erik = try await make.portalUser("erik", of: customer).id!
        let upload = StoredFileRecord()
        upload.caseId = caseRecord.id
        upload.storageKey = "k"
        upload.originalName = "bild.jpg"
        upload.contentType = "image/jpeg"
        upload.byteSize = 10
        upload.uploadedByUserId = anna
        upload.uploaderName = "Anna"
        upload.createdAt = Date()
        try await files.addToCase(upload, message: "Anna laddade upp bild.jpg", author: author)
        var listed = try await files.caseFiles(caseId: caseRecord.id!)
        XCTAssertEqual(listed.map(\.originalName), ["bild.jpg"])

        let byOther = try await files.removeFromCase(fileId: upload.id!, caseId: caseRecord.id!, byUserId: erik,
                                                     message: "borttagen", author: author)
        XCTAssertNil(byOther, "another user may not remove it")
        let wrongCase = try await files.removeFromCase(fileId: upload.id!, caseId: caseRecord.id! + 1, byUserId: anna,
                                                       message: "borttagen", author: author)
        XCTAssertNil(wrongCase)
        let removed = try await files.removeFromCase(fileId: upload.id!, caseId: caseRecord.id!, byUserId: anna,
                                                     message: "Anna tog bort bild.jpg", author: author)
        XCTAssertNotNil(removed?.removedAt)
        listed = try await files.caseFiles(caseId: caseRecord.id!)
        XCTAssertEqual(listed, [])
        let again = try await files.removeFromCase(fileId: upload.id!, caseId: caseRecord.id!, byUserId: anna,
                                                   message: "igen", author: author)
        XCTAssertNil(again, "a removed file is not removed twice")
        let messages = try await CaseConversation(database: db).publicMessages(caseId: caseRecord.id!)
        XCTAssertEqual(messages.map(\.body), ["Anna tog bort bild.jpg", "Anna laddade upp bild.jpg"])
    }
}
