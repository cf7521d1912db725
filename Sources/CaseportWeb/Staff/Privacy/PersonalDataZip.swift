import CaseportCore
import CaseportStore
import Vapor

/// E3: streams one person's export as a ZIP (`ZipStreamWriter`): a README line, one JSON file per kind
/// of row, then each uploaded file's bytes as they are read from storage — the archive is never held
/// whole, in memory or on disk. A file that storage has lost is listed in `missing-files.txt`.
enum PersonalDataZip {
    static func response(for person: PersonalDataExport.Person, request: Request) -> Response {
        let database = request.database
        let storage = request.caseport.storage
        let logger = request.logger
        let name = "personal-data-" + person.email.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined() + ".zip"
        let response = Response(status: .ok)
        response.headers.contentType = HTTPMediaType(type: "application", subType: "zip")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        response.body = .init(asyncStream: { writer in
            do {
                var zip = ZipStreamWriter()
                let export = PersonalDataExport(database: database)
                try await writer.writeBuffer(ByteBuffer(bytes: try zip.entry("README.txt", Array(Self.readme(person).utf8))))
                for section in try await export.sections(for: person) {
                    try await writer.writeBuffer(ByteBuffer(bytes: try zip.entry(section.name, section.json)))
                }
                var missing: [String] = []
                for file in try await export.files(for: person) {
                    let object: StoredObject
                    do { object = try await storage.open(key: file.storageKey) } catch {
                        missing.append("\(file.id) \(file.name)")
                        continue
                    }
                    try await writer.writeBuffer(ByteBuffer(bytes: try zip.begin("files/\(file.id)-\(Self.safeName(file.name))")))
                    for try await chunk in object.chunks {
                        try zip.append(chunk)
                        try await writer.writeBuffer(ByteBuffer(bytes: chunk))
                    }
                    try await writer.writeBuffer(ByteBuffer(bytes: try zip.end()))
                }
                if !missing.isEmpty {
                    try await writer.writeBuffer(ByteBuffer(bytes: try zip.entry("missing-files.txt", Array(missing.joined(separator: "\n").utf8))))
                }
                try await writer.writeBuffer(ByteBuffer(bytes: try zip.finish()))
                try await writer.write(.end)
            } catch {
                logger.error("personal data export: \(String(reflecting: error))")
                try? await writer.write(.error(error))
            }
        })
        return response
    }

    static func readme(_ person: PersonalDataExport.Person) -> String {
        """
        Personal data held about \(person.email)
        Portal users: \(person.portalUserIds.map(String.init).joined(separator: ", "))
        Register contacts: \(person.contactIds.map(String.init).joined(separator: ", "))
        Persons on shared accounts: \(person.personIds.map(String.init).joined(separator: ", "))
        One JSON file per kind of record; files/ holds the files this person uploaded.

        """
    }

    /// A file name inside the archive: no folders, no control characters.
    static func safeName(_ name: String) -> String {
        let cleaned = String(name.unicodeScalars.map { $0 == "/" || $0 == "\\" || $0.value < 0x20 ? "_" : Character($0) })
        return cleaned.isEmpty || cleaned.hasPrefix(".") ? "file" + cleaned : String(cleaned.prefix(150))
    }
}
