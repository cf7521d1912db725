import CaseportCore
import CaseportStore

/// D6: an administrator downloads customers, objects, contacts or portal users as CSV (`CSVWriter`).
/// Like the import it is for administrators only, and since the file carries personal data out of the
/// system, each export is an audit line (E5). The rows themselves are read page by page by the caller
/// through `MasterDataExport`, while the response streams.
public enum ExportMasterData {
    public static func run(_ kind: ImportKind, by actor: StaffActor, in context: OperationContext) async throws {
        try actor.requireAdmin()
        try await context.audit(.dataExported, by: actor.auditActor, subject: "export \(kind.rawValue)",
                                details: "CSV file, UTF-8 with BOM", on: context.database)
    }
}
