import FluentKit

/// Whether cases (or waiting inquiries) use a catalogue entry. A used entry is deactivated rather than
/// deleted, so old cases keep their category, priority, type and field values (D5).
public struct CatalogueUsage: Sendable {
    let database: any Database
    public init(database: any Database) { self.database = database }

    public func categoryIsUsed(_ id: Int) async throws -> Bool {
        let cases = try await CaseRecord.query(on: database).filter(\.$categoryId == id).first()
        let inquiries = try await InquiryRecord.query(on: database).filter(\.$categoryId == id).first()
        return cases != nil || inquiries != nil
    }

    public func priorityIsUsed(_ id: Int) async throws -> Bool {
        try await CaseRecord.query(on: database).filter(\.$priorityId == id).first() != nil
    }

    public func caseTypeIsUsed(_ id: Int) async throws -> Bool {
        let cases = try await CaseRecord.query(on: database).filter(\.$caseTypeId == id).first()
        let inquiries = try await InquiryRecord.query(on: database).filter(\.$caseTypeId == id).first()
        return cases != nil || inquiries != nil
    }

    public func fieldIsUsed(_ id: Int) async throws -> Bool {
        try await CaseFieldValueRecord.query(on: database).filter(\.$fieldId == id).first() != nil
    }
}
