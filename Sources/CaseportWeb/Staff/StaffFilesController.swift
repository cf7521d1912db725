import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Files in the back office (issue 11 point 1, B9): staff open every file, upload to a case, a
/// customer or an object through the same intake as the portal (`UploadIntake`: size limits,
/// generated keys, sniffed type; downloads through `FileResponses`), and remove a file after a
/// confirmation page. A case file's upload or removal is a line on the case the customer sees and an
/// event; a customer's or object's file is what the portal's documents page shows (B9).
struct StaffFilesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.caseUpload, body: .stream, use: uploadToCase).acceptsMultipart()
        routes.on(StaffRoute.customerFiles, body: .stream, use: uploadToCustomer).acceptsMultipart()
        routes.on(StaffRoute.objectFiles, body: .stream, use: uploadToObject).acceptsMultipart()
        routes.on(StaffRoute.file, use: download)
        routes.on(StaffRoute.fileRemove, use: confirmRemove)
        routes.on(StaffRoute.fileRemoveSubmit, use: remove)
    }

    static func file(_ request: Request) async throws -> StoredFileRecord {
        guard let id = request.parameters.get("fileId").flatMap(Int.init),
              let file = try await StaffFiles(database: request.database).find(fileId: id) else { throw Abort(.notFound) }
        return file
    }

    func download(request: Request) async throws -> Response {
        _ = try request.requireStaff()
        return try await FileResponses.serve(try await Self.file(request), request: request,
                                             inline: request.query[String.self, at: "inline"] == "1")
    }

    // MARK: Uploads

    func uploadToCase(request: Request) async throws -> Response {
        let cases = StaffCasesController()
        let record = try await cases.findCase(request)
        do {
            try await UploadIntake.store(request) { stored in
                _ = try await AttachStaffCaseFiles.run(.init(caseNumber: record.number, files: stored, language: request.language),
                                                       by: try request.staffMember(), in: request.operations)
            }
        } catch let refused as UploadIntake.Refused {
            return try await cases.render(request, record: record,
                                          state: .init(errors: ["files": request.t(refused.key)]), status: refused.status)
        }
        return request.redirect(to: StaffRoute.`case`, record.number, notice: .uploaded, fragment: "files")
    }

    func uploadToCustomer(request: Request) async throws -> Response {
        let id = try MasterDataController.id(request)
        guard let customer = try await CustomerRecord.find(id, on: request.database) else { throw Abort(.notFound) }
        do {
            try await UploadIntake.store(request) { stored in
                try await AttachRegisterFiles.run(stored, to: .customer(id), by: try request.staffMember(), in: request.operations)
            }
        } catch let refused as UploadIntake.Refused {
            return try await MasterDataController().renderCustomer(request, target: customer, form: CustomerForm(customer),
                                                                   errors: ["files": request.t(refused.key)], status: refused.status)
        }
        return request.redirect(to: StaffRoute.customer, id, notice: .uploaded, fragment: "files")
    }

    func uploadToObject(request: Request) async throws -> Response {
        let id = try MasterDataController.id(request)
        guard let object = try await ObjectRecord.find(id, on: request.database) else { throw Abort(.notFound) }
        do {
            try await UploadIntake.store(request) { stored in
                try await AttachRegisterFiles.run(stored, to: .object(id), by: try request.staffMember(), in: request.operations)
            }
        } catch let refused as UploadIntake.Refused {
            let owner = try await CustomerRecord.find(object.customerId, on: request.database)
            let form = ObjectForm(name: object.name, address: object.address, customerNumber: owner?.customerNumber ?? "",
                                  isActive: object.isActive)
            return try await MasterDataController().renderObject(request, target: object, form: form,
                                                                 errors: ["files": request.t(refused.key)], status: refused.status)
        }
        return request.redirect(to: StaffRoute.object, id, notice: .uploaded, fragment: "files")
    }

    // MARK: Removing

    struct ConfirmPage: Encodable {
        var layout: Layout
        var question: String
        var fileId: Int
        var fileName: String
        var cancelHref: String
    }

    /// Where the file is shown, to go back to.
    static func home(of file: StoredFileRecord, on db: any Database) async throws -> String {
        if let caseId = file.caseId, let record = try await CaseRecord.find(caseId, on: db) {
            return StaffRoute.`case`.path(record.number, fragment: "files")
        }
        if let objectId = file.objectId { return StaffRoute.object.path(objectId, fragment: "files") }
        if let customerId = file.customerId { return StaffRoute.customer.path(customerId, fragment: "files") }
        return StaffRoute.cases.path()
    }

    /// "Remove" asks first: a page naming the file, with the button that removes it and a way back.
    func confirmRemove(request: Request) async throws -> View {
        _ = try request.requireStaff()
        let file = try await Self.file(request)
        let page = ConfirmPage(layout: Layout(request, title: request.t("staff_file_remove_title"), area: "staff"),
                               question: request.t("staff_file_remove_question").replacingOccurrences(of: "{name}", with: file.originalName),
                               fileId: file.id!, fileName: file.originalName, cancelHref: try await Self.home(of: file, on: request.database))
        return try await request.view.render("staff/file-remove", page)
    }

    func remove(request: Request) async throws -> Response {
        // Issue 12 point 7: only the confirmation page's button removes; any other POST shows that page.
        guard ConfirmStep.isConfirmed(request) else {
            return try await confirmRemove(request: request).encodeResponse(for: request).get()
        }
        let file = try await Self.file(request)
        let actor = try request.staffMember()
        if let caseId = file.caseId {
            guard let record = try await CaseRecord.find(caseId, on: request.database) else { throw Abort(.notFound) }
            let removed = try await RemoveStaffCaseFile.run(.init(caseNumber: record.number, fileId: file.id!, language: request.language),
                                                            by: actor, in: request.operations)
            try await request.caseport.storage.delete(key: removed.storageKey)
            return request.redirect(to: StaffRoute.`case`, removed.caseNumber, notice: .removed, fragment: "files")
        }
        let removed = try await RemoveRegisterFile.run(fileId: file.id!, by: actor, in: request.operations)
        try await request.caseport.storage.delete(key: removed.storageKey)
        switch removed.owner {
        case .customer(let id): return request.redirect(to: StaffRoute.customer, id, notice: .removed, fragment: "files")
        case .object(let id): return request.redirect(to: StaffRoute.object, id, notice: .removed, fragment: "files")
        }
    }
}
