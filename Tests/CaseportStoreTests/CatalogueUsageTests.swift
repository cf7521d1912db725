import CaseportCore
import CaseportStore
import FluentKit
import XCTest

/// A catalogue entry counts as used when a case (or, for categories and types, a waiting inquiry)
/// refers to it; only unused entries may be deleted (D5).
final class CatalogueUsageTests: StoreTestCase {
    func testEachEntryIsUsedOnlyWhenSomethingRefersToIt() async throws {
        let usedCategory = CategoryRecord(name: "VVS"), inquiryCategory = CategoryRecord(name: "El"), freeCategory = CategoryRecord(name: "Mark")
        for record in [usedCategory, inquiryCategory, freeCategory] { try await record.create(on: db) }
        let usedPriority = PriorityRecord(name: "Hög", rank: 1), freePriority = PriorityRecord(name: "Låg", rank: 3)
        for record in [usedPriority, freePriority] { try await record.create(on: db) }
        let usedType = CaseTypeRecord(name: "Felanmälan"), inquiryType = CaseTypeRecord(name: "Beställning"), freeType = CaseTypeRecord(name: "Övrigt")
        for record in [usedType, inquiryType, freeType] { try await record.create(on: db) }
        let usedField = CaseTypeFieldRecord(caseTypeId: usedType.id!, label: "Våning", kind: .text)
        let freeField = CaseTypeFieldRecord(caseTypeId: usedType.id!, label: "Port", kind: .text)
        for record in [usedField, freeField] { try await record.create(on: db) }

        _ = try await make.case("Fall") { new in
            new.categoryId = usedCategory.id
            new.priorityId = usedPriority.id
            new.caseTypeId = usedType.id
            new.fieldValues = [.init(fieldId: usedField.id, label: "Våning", value: "2")]
        }
        var inquiry = NewCase(subject: "Fråga", description: "", createdByName: "Anna", origin: .portal)
        inquiry.categoryId = inquiryCategory.id
        inquiry.caseTypeId = inquiryType.id
        try await Inquiries(database: db).submit(inquiry, senderEmail: nil, senderPhone: nil)

        let usage = CatalogueUsage(database: db)
        var used = try await usage.categoryIsUsed(usedCategory.id!)
        XCTAssertTrue(used)
        used = try await usage.categoryIsUsed(inquiryCategory.id!)
        XCTAssertTrue(used, "a waiting inquiry uses its category")
        used = try await usage.categoryIsUsed(freeCategory.id!)
        XCTAssertFalse(used)
        used = try await usage.priorityIsUsed(usedPriority.id!)
        XCTAssertTrue(used)
        used = try await usage.priorityIsUsed(freePriority.id!)
        XCTAssertFalse(used)
        used = try await usage.caseTypeIsUsed(usedType.id!)
        XCTAssertTrue(used)
        used = try await usage.caseTypeIsUsed(inquiryType.id!)
        XCTAssertTrue(used)
        used = try await usage.caseTypeIsUsed(freeType.id!)
        XCTAssertFalse(used)
        used = try await usage.fieldIsUsed(usedField.id!)
        XCTAssertTrue(used)
        used = try await usage.fieldIsUsed(freeField.id!)
        XCTAssertFalse(used)
    }
}
