import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// Issue 13 (A10, C1–C6): the claim's customer page — overview (case information, news feed, plan),
/// project plan, messages, documents and budget — for the visitor in `request.claimViewer`. Every
/// handler reads only the viewer's case (its id is in every query's SQL); without a viewer it answers
/// a calm page asking to open the link again, never an error. A tab whose moment the case has not
/// reached answers "not available yet".
struct ClaimPageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(ClaimPageRoute.overview) { try await Self.show($0, tab: .overview) }
        routes.on(ClaimPageRoute.plan) { try await Self.show($0, tab: .plan) }
        routes.on(ClaimPageRoute.messages) { try await Self.show($0, tab: .messages) }
        routes.on(ClaimPageRoute.documents) { try await Self.show($0, tab: .documents) }
        routes.on(ClaimPageRoute.budget) { try await Self.show($0, tab: .budget) }
        routes.on(ClaimPageRoute.document, use: Self.download)
        // A message may carry images and documents: multipart, streamed like every upload.
        routes.on(ClaimPageRoute.messagesSubmit, body: .stream, use: Self.postMessage).acceptsMultipart()
    }

    static func show(_ request: Request, tab: ClaimTab) async throws -> Response {
        guard let viewer = request.claimViewer else { return try await ClaimPageView.noLink(request) }
        return try await ClaimPageView.render(request, viewer: viewer, tab: tab, preview: nil)
    }

    /// A shared document of the viewer's case: safe type, attachment unless an image or PDF asked inline.
    static func download(_ request: Request) async throws -> Response {
        guard let viewer = request.claimViewer else { return try await ClaimPageView.noLink(request) }
        guard let fileId = request.parameters.get("fileId", as: Int.self) else { throw Abort(.notFound) }
        let context = try await ClaimPageView.Situation.load(request, caseId: viewer.caseId)
        // The Documents tab gives its shared documents; the Messages tab only the files of its messages.
        guard context.isShown(.documents) || context.isShown(.messages),
              let file = try await ClaimPage(database: request.database).document(caseId: viewer.caseId, fileId: fileId,
                                                                             onlyMessageFiles: !context.isShown(.documents)) else {
            throw Abort(.notFound)
        }
        return try await FileResponses.serve(file, request: request, inline: request.query[String.self, at: "inline"] == "1")
    }

    /// The visitor writes (C3): url-encoded, or multipart with images and documents (the form token is
    /// the first field, `UploadIntake`). Refused messages keep what was typed; their files are deleted.
    static func postMessage(_ request: Request) async throws -> Response {
        guard let viewer = request.claimViewer else { return try await ClaimPageView.noLink(request) }
        guard CSRFMiddleware.isMultipart(request) else {
            return try await write(request, viewer: viewer, form: try request.form(ClaimMessageForm.self), files: [])
        }
        struct Refused: Error, @unchecked Sendable { let response: Response }
        var answer: Response?
        do {
            try await UploadIntake.store(request, filesRequired: false) { fields, stored in
                let response = try await write(request, viewer: viewer,
                                               form: try ClaimMessageForm(from: FormValueDecoder(values: fields)), files: stored)
                guard response.status == .seeOther else { throw Refused(response: response) }
                answer = response
            }
        } catch let refused as Refused {
            return refused.response
        } catch let refused as UploadIntake.Refused {
            let form = (try? ClaimMessageForm(from: FormValueDecoder(values: refused.fields))) ?? ClaimMessageForm()
            return try await ClaimPageView.render(request, viewer: viewer, tab: .messages, preview: nil,
                                                  written: .init(body: form.body, errors: ["files": request.t(refused.key)]),
                                                  status: refused.status)
        }
        guard let answer else { throw Abort(.internalServerError) }
        return answer
    }

    static func write(_ request: Request, viewer: ClaimViewer, form: ClaimMessageForm,
                      files: [AttachUploadedFiles.StoredUpload]) async throws -> Response {
        let visitor = WriteClaimMessage.Visitor(caseId: viewer.caseId, name: viewer.name, email: viewer.email,
                                                isPreview: viewer.previewingStaffId != nil)
        let outcome: Outcome<Int, WriteClaimMessage.Field>
        do {
            outcome = try await WriteClaimMessage.run(.init(body: form.body, files: files), by: visitor, in: request.operations)
        } catch OperationError.notAllowedNow, OperationError.forbidden {
            // The tab is hidden, the direction is "only to the customer" or it is a preview: the calm page.
            var written = ClaimPageView.Written(body: form.body)
            written.refused = true
            return try await ClaimPageView.render(request, viewer: viewer, tab: .messages, preview: nil, written: written,
                                                  status: .unprocessableEntity)
        }
        switch outcome {
        case .done:
            return request.redirect(to: ClaimPageRoute.messages, notice: .message)
        case .problems(let problems):
            var errors = request.texts(problems) { _ in "body" }
            if !files.isEmpty { errors["files"] = request.t("casepage_files_again") }
            return try await ClaimPageView.render(request, viewer: viewer, tab: .messages, preview: nil,
                                                  written: .init(body: form.body, errors: errors), status: .unprocessableEntity)
        }
    }
}

/// The staff preview (issue 13 point 9): the customer page of a case exactly as a chosen recipient —
/// one of the case's contacts, or a generic recipient — sees it, with a banner and writing disabled.
struct ClaimPreviewController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(ClaimPageRoute.preview, use: Self.preview)
    }

    static func preview(_ request: Request) async throws -> Response {
        let staff = try request.requireStaff()
        guard let number = request.parameters.get("number", as: Int.self),
              let record = try await CaseRecord.query(on: request.database).filter(\.$number == number).first(),
              let caseId = record.id else { throw Abort(.notFound) }
        let contacts = try await ClaimPage(database: request.database).contacts(caseId: caseId)
        let chosen = request.query[Int.self, at: "contact"].flatMap { id in contacts.first { $0.contactId == id } }
        let viewer = ClaimViewer(caseId: caseId, linkId: nil, name: chosen?.name ?? request.t("claim_generic_recipient"),
                                 email: chosen?.email, contactId: chosen?.contactId, previewingStaffId: staff.user.id)
        let tab = request.query[String.self, at: "tab"].flatMap(ClaimTab.init(rawValue:)) ?? .overview
        var recipients = [SelectOption(value: "", name: request.t("claim_generic_recipient"), selected: chosen == nil)]
        for contact in contacts {
            let role = contact.role.map { request.t("claim_role_\($0)") }
            recipients.append(SelectOption(value: String(contact.contactId), name: role.map { "\(contact.name) (\($0))" } ?? contact.name,
                                           selected: contact.contactId == chosen?.contactId))
        }
        let preview = ClaimPageView.Preview(number: number, name: viewer.name, contactId: chosen?.contactId, recipients: recipients)
        return try await ClaimPageView.render(request, viewer: viewer, tab: tab, preview: preview)
    }
}

/// The visitor's message (C3).
struct ClaimMessageForm: PostedForm {
    static var longestValue: Int { InputLimits.message }
    var body = ""
}
