import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Issue 13 point 3 (C4, D3, seed 002 "Del dokumenter med kunden manuelt"): the case's document
/// library on the staff case page — upload with category and title (unshared), select several and
/// share them after a confirmation, and per document a menu with Download, Stop sharing (confirmed),
/// Edit title/category and Delete (confirmed). The budget's handlers (point 4) are in
/// `StaffClaimBudget.swift`; both register here. Without JavaScript every step is a plain form or link.
struct StaffClaimDocumentsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(ClaimDocsRoute.upload, body: .stream, use: upload).acceptsMultipart()
        routes.on(ClaimDocsRoute.share, use: share)
        routes.on(ClaimDocsRoute.unshare, use: confirmUnshare)
        routes.on(ClaimDocsRoute.unshareSubmit, use: unshare)
        routes.on(ClaimDocsRoute.edit, use: editForm)
        routes.on(ClaimDocsRoute.editSubmit, use: edit)
        routes.on(ClaimDocsRoute.delete, use: confirmDelete)
        routes.on(ClaimDocsRoute.deleteSubmit, use: delete)
        routes.on(ClaimDocsRoute.budgetAdd, use: addBudgetLine)
        routes.on(ClaimDocsRoute.budgetLine, use: budgetLineForm)
        routes.on(ClaimDocsRoute.budgetLineSubmit, use: updateBudgetLine)
        routes.on(ClaimDocsRoute.budgetLineRemove, use: removeBudgetLine)
    }

    // MARK: Shared helpers

    static func caseRecord(_ request: Request) async throws -> CaseRecord {
        _ = try request.requireStaff()
        guard let raw = request.parameters.get("number"), raw.count <= 12, let number = Int(raw),
              let record = try await StaffCases(database: request.database).find(number: number) else { throw Abort(.notFound) }
        return record
    }

    static func id(_ request: Request, _ name: String) throws -> Int {
        guard let raw = request.parameters.get(name), raw.count <= 12, let id = Int(raw) else { throw Abort(.notFound) }
        return id
    }

    static func document(_ request: Request, record: CaseRecord) async throws -> StoredFileRecord {
        guard let file = try await CaseDocuments(database: request.database).find(fileId: try id(request, "fileId"), caseId: record.id!) else {
            throw Abort(.notFound)
        }
        return file
    }

    /// Back to the case page's library (or budget) with a short message of what happened.
    static func back(_ request: Request, _ number: Int, docs: String? = nil, budget: String? = nil) -> Response {
        request.redirect(to: StaffRoute.`case`, number, query: [("docs", docs), ("budget", budget)],
                         fragment: budget != nil ? "budget" : "documents")
    }

    static func categoryOptions(_ request: Request, chosen: String) -> [SelectOption] {
        CaseDocumentCategory.allCases.map {
            SelectOption(value: $0.rawValue, name: request.t("docs_category_\($0.rawValue)"), selected: $0.rawValue == chosen)
        }
    }

    static func supplierOptions(_ request: Request, chosen: String) async throws -> [SelectOption] {
        supplierOptions(try await StaffCatalogue.activeSuppliers(on: request.database), chosen: chosen)
    }

    static func supplierOptions(_ suppliers: [StaffCatalogue.Choice], chosen: String) -> [SelectOption] {
        suppliers.map { SelectOption(value: String($0.id), name: $0.name, selected: String($0.id) == chosen) }
    }

    // MARK: Upload

    /// The upload form as posted (and shown again after a problem).
    struct DocumentForm: Encodable {
        var category = ""
        var title = ""
        var supplier = ""

        init() {}
        init(_ fields: [String: String]) {
            category = fields["category"] ?? ""
            title = String((fields["title"] ?? "").prefix(AddCaseDocuments.titleLimit + 1))
            supplier = fields["supplier"] ?? ""
        }
    }

    /// The library's own page for a document form that needs correcting (upload or edit): the
    /// form with what was typed and each problem beside its field.
    struct DocumentFormPage: Encodable {
        var layout: Layout
        var number: Int
        var subject: String
        var isUpload: Bool
        var fileId: Int?
        var fileName: String?
        var values: DocumentForm
        var errors: [String: String]
        var categories: [SelectOption]
        var suppliers: [SelectOption]
        var maxUploadMegabytes: Int
    }

    func renderDocumentForm(_ request: Request, record: CaseRecord, file: StoredFileRecord?, form: DocumentForm,
                            errors: [String: String], status: HTTPResponseStatus) async throws -> Response {
        let page = DocumentFormPage(
            layout: Layout(request, title: request.t(file == nil ? "docs_upload_title" : "docs_edit_title"), area: "staff"),
            number: record.number, subject: record.subject, isUpload: file == nil, fileId: file?.id, fileName: file?.originalName,
            values: form, errors: errors, categories: Self.categoryOptions(request, chosen: form.category),
            suppliers: try await Self.supplierOptions(request, chosen: form.supplier),
            maxUploadMegabytes: UploadReceiver.maximumFileBytes / 1_048_576)
        let response = try await request.view.render("staff/claims/document-form", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    func upload(request: Request) async throws -> Response {
        let record = try await Self.caseRecord(request)
        struct Refused: Error, @unchecked Sendable { let response: Response }
        var answer: Response?
        do {
            try await UploadIntake.store(request, filesRequired: false, beforeStoring: { fields in
                // What was typed is checked before any file is kept.
                let form = DocumentForm(fields)
                let (problems, _, _) = try await AddCaseDocuments.check(category: form.category, title: form.title,
                                                                       supplier: form.supplier, in: request.operations)
                guard problems.isEmpty else {
                    var errors = request.texts(problems)
                    errors["files"] = request.t("docs_file_again")
                    throw Refused(response: try await renderDocumentForm(request, record: record, file: nil, form: form,
                                                                         errors: errors, status: .unprocessableEntity))
                }
            }) { fields, stored in
                let form = DocumentForm(fields)
                let input = AddCaseDocuments.Input(caseNumber: record.number, files: stored, category: form.category,
                                                   title: form.title, supplier: form.supplier)
                switch try await AddCaseDocuments.run(input, by: try request.staffMember(), in: request.operations) {
                case .done(let number):
                    answer = Self.back(request, number, docs: "uploaded")
                case .problems(let problems):
                    // Nothing is kept: throwing has the stored files deleted again.
                    throw Refused(response: try await renderDocumentForm(request, record: record, file: nil, form: form,
                                                                         errors: request.texts(problems), status: .unprocessableEntity))
                }
            }
        } catch let refused as Refused {
            return refused.response
        } catch let refused as UploadIntake.Refused {
            return try await renderDocumentForm(request, record: record, file: nil, form: DocumentForm(refused.fields),
                                                errors: ["files": request.t(refused.key)], status: refused.status)
        }
        guard let answer else { throw Abort(.internalServerError) }
        return answer
    }

    // MARK: Share (several, confirmed)

    struct ShareConfirmPage: Encodable {
        var layout: Layout
        var number: Int
        var documents: [Named]
        struct Named: Encodable { var id: Int; var name: String }
    }

    func share(request: Request) async throws -> Response {
        let record = try await Self.caseRecord(request)
        let values = request.formValues()
        let ids = Set(values.compactMap { key, value in
            key.hasPrefix("doc_") && FormValueDecoder.ticked(value) ? Int(key.dropFirst(4)) : nil
        }).sorted()
        guard !ids.isEmpty else { return Self.back(request, record.number, docs: "none") }
        guard FormValueDecoder.ticked(values[ConfirmStep.fieldName]) else {
            // The confirmation step: it names the documents and posts them again with confirm=1.
            let library = try await CaseDocuments(database: request.database).library(caseId: record.id!)
            let chosen = library.filter { ids.contains($0.id) && !$0.isShared }
            guard !chosen.isEmpty else { return Self.back(request, record.number, docs: "already") }
            let page = ShareConfirmPage(layout: Layout(request, title: request.t("docs_share_title"), area: "staff"),
                                        number: record.number, documents: chosen.map { .init(id: $0.id, name: $0.shownTitle) })
            return try await request.view.render("staff/claims/share-confirm", page).encodeResponse(for: request).get()
        }
        let shared = try await ShareCaseDocuments.run(.init(caseNumber: record.number, fileIds: ids),
                                                      by: try request.staffMember(), in: request.operations)
        return Self.back(request, record.number, docs: shared > 0 ? "shared" : "already")
    }

    // MARK: Stop sharing, delete (each confirmed)

    func confirmUnshare(request: Request) async throws -> Response {
        let record = try await Self.caseRecord(request)
        let file = try await Self.document(request, record: record)
        return try await ConfirmStep(
            layout: Layout(request, title: request.t("docs_unshare_title"), area: "staff"), heading: request.t("docs_unshare_title"),
            question: request.t("docs_unshare_question").replacingOccurrences(of: "{name}", with: file.title ?? file.originalName),
            detail: nil, action: ClaimDocsRoute.unshareSubmit.path(record.number, file.id!),
            button: request.t("docs_unshare"), cancelHref: StaffRoute.`case`.path(record.number, fragment: "documents")
        ).response(request)
    }

    func unshare(request: Request) async throws -> Response {
        guard ConfirmStep.isConfirmed(request) else { return try await confirmUnshare(request: request) }
        let record = try await Self.caseRecord(request)
        let file = try await Self.document(request, record: record)
        let changed = try await UnshareCaseDocument.run(.init(caseNumber: record.number, fileId: file.id!),
                                                        by: try request.staffMember(), in: request.operations)
        return Self.back(request, record.number, docs: changed ? "unshared" : "already")
    }

    func confirmDelete(request: Request) async throws -> Response {
        let record = try await Self.caseRecord(request)
        let file = try await Self.document(request, record: record)
        return try await ConfirmStep(
            layout: Layout(request, title: request.t("docs_delete_title"), area: "staff"), heading: request.t("docs_delete_title"),
            question: request.t("docs_delete_question").replacingOccurrences(of: "{name}", with: file.title ?? file.originalName),
            detail: file.isShared == false ? nil : request.t("docs_delete_shared_hint"),
            action: ClaimDocsRoute.deleteSubmit.path(record.number, file.id!),
            button: request.t("docs_delete"), cancelHref: StaffRoute.`case`.path(record.number, fragment: "documents")
        ).response(request)
    }

    func delete(request: Request) async throws -> Response {
        guard ConfirmStep.isConfirmed(request) else { return try await confirmDelete(request: request) }
        let record = try await Self.caseRecord(request)
        let file = try await Self.document(request, record: record)
        let removed = try await DeleteCaseDocument.run(.init(caseNumber: record.number, fileId: file.id!),
                                                       by: try request.staffMember(), in: request.operations)
        try await request.caseport.storage.delete(key: removed.storageKey)
        return Self.back(request, record.number, docs: "deleted")
    }

    // MARK: Edit title and category

    func editForm(request: Request) async throws -> Response {
        let record = try await Self.caseRecord(request)
        let file = try await Self.document(request, record: record)
        let row = try await CaseDocuments(database: request.database).library(caseId: record.id!).first { $0.id == file.id }
        var form = DocumentForm()
        form.category = row?.shownCategory.rawValue ?? ""
        form.title = file.title ?? ""
        return try await renderDocumentForm(request, record: record, file: file, form: form, errors: [:], status: .ok)
    }

    func edit(request: Request) async throws -> Response {
        let record = try await Self.caseRecord(request)
        let file = try await Self.document(request, record: record)
        let form = DocumentForm(request.formValues())
        switch try await EditCaseDocument.run(.init(caseNumber: record.number, fileId: file.id!, category: form.category, title: form.title),
                                              by: try request.staffMember(), in: request.operations) {
        case .done(let number):
            return Self.back(request, number, docs: "saved")
        case .problems(let problems):
            return try await renderDocumentForm(request, record: record, file: file, form: form,
                                                errors: request.texts(problems), status: .unprocessableEntity)
        }
    }
}
