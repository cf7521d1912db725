import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// D6: master data as a CSV download that Excel opens correctly (`CSVWriter`: UTF-8 with BOM,
/// semicolons, formula cells neutralised), in the import's columns. The body streams: each page of
/// `MasterDataExport` is written as it is read, so no export holds a whole table in memory.
struct MasterDataExportController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.exportCSV, use: export)
    }

    func export(request: Request) async throws -> Response {
        guard let kind = request.parameters.get("kind").flatMap(ImportKind.init(rawValue:)) else { throw Abort(.notFound) }
        try await ExportMasterData.run(kind, by: try request.staffMember(), in: request.operations)
        let export = MasterDataExport(database: request.database)
        let logger = request.logger
        let response = Response(status: .ok)
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"caseport-\(kind.rawValue).csv\"")
        response.body = .init(asyncStream: { writer in
            do {
                let header = CSVWriter.byteOrderMark + CSVWriter.line(kind.columns.map(\.name))
                try await writer.writeBuffer(ByteBuffer(string: header))
                var after = 0
                while true {
                    let page = try await export.page(kind, after: after)
                    if !page.rows.isEmpty {
                        try await writer.writeBuffer(ByteBuffer(string: page.rows.map(CSVWriter.line).joined()))
                    }
                    guard let next = page.next else { break }
                    after = next
                }
                try await writer.write(.end)
            } catch {
                logger.report(error: error)
                try? await writer.write(.error(error))
            }
        }, byteBufferAllocator: request.byteBufferAllocator)
        return response
    }
}
