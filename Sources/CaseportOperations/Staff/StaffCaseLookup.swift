import CaseportStore

/// Staff see every case (D3); a number that does not exist is `OperationError.notFound`.
enum StaffCaseLookup {
    static func find(number: Int, in context: OperationContext) async throws -> CaseRecord {
        guard let record = try await StaffCases(database: context.database).find(number: number) else {
            throw OperationError.notFound
        }
        return record
    }
}
