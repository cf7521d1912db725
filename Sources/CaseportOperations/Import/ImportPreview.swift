import CaseportCore
import CaseportStore
import FluentKit
import Foundation

/// A CSV file checked for an import (D6): what the preview page lists, and what the confirmation imports.
public struct ImportPreview: Sendable {
    public var kind: ImportKind
    /// The storage key the file waits under; the preview form sends it back with the confirmation.
    public var upload: String
    public var fileName: String
    public var table: CSVTable
    public var check: ImportCheck

    /// How long an unconfirmed upload is kept: older ones are removed when the next upload arrives.
    public static let keptFor: TimeInterval = 24 * 3_600

    /// The file's rows checked against the rules and then against the register as it is on `db`.
    static func check(_ table: CSVTable, kind: ImportKind, on db: any Database) async throws -> ImportCheck {
        let rows = ImportRules.rows(table, kind: kind)
        guard rows.fileProblems.isEmpty else { return rows }
        let known = try await MasterDataImport(database: db).known(for: rows.rows, kind: kind)
        return ImportRules.check(table, kind: kind, known: known)
    }
}

/// D6, step 1: an administrator uploads a CSV file. It is parsed and checked — nothing is imported —
/// and kept in `FileStorage` under a new key (noted in `ImportUploads`) until it is confirmed. Uploads
/// older than a day that nobody confirmed are removed whenever a new one arrives.
public enum PreviewImport {
    public struct Input: Sendable {
        /// nil when the form named no known kind.
        public var kind: ImportKind?
        public var fileName: String
        /// nil or empty when no file was sent.
        public var bytes: [UInt8]?

        public init(kind: ImportKind?, fileName: String, bytes: [UInt8]?) {
            self.kind = kind
            self.fileName = fileName
            self.bytes = bytes
        }
    }

    public enum Field: String, Hashable, Sendable { case kind, file }

    public enum Result: Sendable {
        /// The file was read and checked; `check` lists every row's problems.
        case checked(ImportPreview)
        /// The file is not a CSV file we can read (nothing was kept).
        case unreadable(CSVTable.Problem?)
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext,
                           storage: any FileStorage) async throws -> Outcome<Result, Field> {
        try actor.requireAdmin()
        var problems = Problems<Field>()
        guard let kind = input.kind else {
            problems.add(.kind, ProblemKey.required)
            return .problems(problems)
        }
        guard let bytes = input.bytes, !bytes.isEmpty else {
            problems.add(.file, "import_error_no_file")
            return .problems(problems)
        }
        let table: CSVTable
        do {
            table = try CSVTable.parse(data: Data(bytes))
        } catch {
            return .done(.unreadable(error as? CSVTable.Problem))
        }
        let uploads = ImportUploads(database: context.database)
        for stale in try await uploads.removeOlder(than: context.now.addingTimeInterval(-ImportPreview.keptFor)) {
            try? await storage.delete(key: stale)
        }
        let key = storage.newKey()
        try await storage.put(key: key, bytes: bytes)
        try await uploads.add(key: key, at: context.now)
        let check = try await ImportPreview.check(table, kind: kind, on: context.database)
        return .done(.checked(ImportPreview(kind: kind, upload: key, fileName: input.fileName, table: table, check: check)))
    }
}

/// D6, step 2: an administrator confirms an import. The rows are checked again inside one transaction
/// (the register may have changed since the preview) and all of them are written, or none. Imported
/// portal users get an unusable password; with "send login details", each one with an e-mail address
/// gets a one-time set-password link in the outbox, in the same transaction. One `data_imported` audit line.
public enum RunImport {
    public struct Input: Sendable {
        public var kind: ImportKind
        /// The key the preview kept the file under.
        public var upload: String
        public var fileName: String
        public var sendLoginDetails: Bool
        /// The language the login-details mails are written in (the administrator's).
        public var mailLanguage: Language

        public init(kind: ImportKind, upload: String, fileName: String, sendLoginDetails: Bool, mailLanguage: Language) {
            self.kind = kind
            self.upload = upload
            self.fileName = fileName
            self.sendLoginDetails = sendLoginDetails
            self.mailLanguage = mailLanguage
        }
    }

    /// `.upload` with "import_expired": the file is gone (imported already, or removed after a day).
    public enum Field: String, Hashable, Sendable { case upload }

    public enum Result: Sendable {
        case imported(rows: Int)
        /// The register changed since the preview and some rows now have problems; nothing was written.
        case rowsChanged(ImportPreview)
    }

    public static func run(_ input: Input, by actor: StaffActor, in context: OperationContext, storage: any FileStorage,
                           passwords: any PasswordHashing) async throws -> Outcome<Result, Field> {
        try actor.requireAdmin()
        let kind = input.kind, fileName = String(input.fileName.prefix(200))
        guard let table = try await waitingTable(input.upload, in: context, storage: storage) else {
            var problems = Problems<Field>()
            problems.add(.upload, "import_expired")
            return .problems(problems)
        }
        let hash = try await passwords.hash(Sessions.newToken())
        let outcome = try await context.database.transaction { tx -> ImportCheck? in
            let check = try await ImportPreview.check(table, kind: kind, on: tx)
            guard check.isClean else { return check }
            let importer = MasterDataImport(database: tx)
            let ids = try await importer.write(check.rows, kind: kind, known: try await importer.known(for: check.rows, kind: kind),
                                               passwordHash: hash, now: context.now)
            // A5: registered users whose address is on an imported contact are linked to it.
            if kind == .contacts { try await LinkRegisteredUsers.run(contactIds: ids, by: actor.auditActor, in: context, on: tx) }
            var mailed = 0
            if kind == .users, input.sendLoginDetails {
                mailed = try await queueLoginDetails(rows: check.rows, ids: ids, language: input.mailLanguage, in: context, on: tx)
            }
            try await context.audit(.dataImported, by: actor.auditActor, subject: "import \(kind.rawValue)",
                                    details: "\(check.rows.count) rows from \(fileName.isEmpty ? "a CSV file" : fileName)"
                                        + (mailed > 0 ? ", login details queued for \(mailed)" : ""), on: tx)
            try await ImportUploads(database: tx).remove(key: input.upload)
            return nil
        }
        if let check = outcome {
            return .done(.rowsChanged(ImportPreview(kind: kind, upload: input.upload, fileName: fileName, table: table, check: check)))
        }
        try? await storage.delete(key: input.upload)
        return .done(.imported(rows: table.rows.count))
    }

    /// The upload's table, when it is an import upload still waiting and readable.
    static func waitingTable(_ key: String, in context: OperationContext, storage: any FileStorage) async throws -> CSVTable? {
        guard !key.isEmpty, try await ImportUploads(database: context.database).isWaiting(key: key),
              let bytes = try? await storage.open(key: key).collect() else { return nil }
        return try? CSVTable.parse(data: Data(bytes))
    }

    /// A one-time set-password link for every imported user with an e-mail address (as A9's
    /// "send login details"), written to the outbox in the import's transaction.
    static func queueLoginDetails(rows: [ImportRow], ids: [Int], language: Language, in context: OperationContext,
                                  on db: any Database) async throws -> Int {
        let numbers = Set(rows.map { $0["customer_number"] })
        let organisations = Dictionary(try await CustomerRecord.query(on: db).filter(\.$customerNumber ~~ numbers).all()
            .map { ($0.customerNumber, $0) }, uniquingKeysWith: { a, _ in a })
        var count = 0
        for (row, id) in zip(rows, ids) where !row["email"].isEmpty {
            guard let organisation = organisations[row["customer_number"]] else { continue }
            try await LoginDetails.queue(userId: id, name: "\(row["first_name"]) \(row["last_name"])", username: row["username"],
                                         email: row["email"], organisationCode: organisation.shortCode, language: language,
                                         in: context, on: db)
            count += 1
        }
        return count
    }
}
