import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// Files attached to the viewer's customers and objects (B9), by the `FileVisibility` rule.
struct PortalFilesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.files, use: list)
        routes.on(PortalRoute.file, use: download)
    }

    struct FileRow: Encodable {
        var id: Int
        var name: String
        var size: String
        var attachedTo: String
        var createdAt: String
    }

    struct FilesPage: Encodable {
        var layout: Layout
        var files: [FileRow]
    }

    func list(request: Request) async throws -> View {
        let principal = try request.requirePortal()
        let files = try await VisibleFiles(database: request.database).registerFiles(for: FileVisibility(for: principal.viewer))
        let language = request.language
        let page = FilesPage(
            layout: Layout(request, title: request.t("files_title")),
            files: files.map {
                FileRow(id: $0.id, name: $0.originalName, size: PortalCaseController.formatSize($0.byteSize, language: language),
                        attachedTo: $0.objectName ?? $0.customerName ?? "", createdAt: language.formatDateTime($0.createdAt))
            })
        return try await request.view.render("portal/files", page)
    }

    func download(request: Request) async throws -> Response {
        let principal = try request.requirePortal()
        guard let fileId = request.parameters.get("fileId").flatMap(Int.init),
              let file = try await VisibleFiles(database: request.database).find(fileId: fileId, cases: principal.visibility,
                                                                           register: FileVisibility(for: principal.viewer)),
              file.caseId == nil
        else { throw Abort(.notFound) }
        return try await FileResponses.serve(file, request: request, inline: false)
    }
}
