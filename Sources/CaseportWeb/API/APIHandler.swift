import CaseportAPI
import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Foundation
import OpenAPIRuntime
import Vapor

/// The JSON API's handlers (the generated `APIProtocol`). Each one does what the matching page does,
/// through the same code: a portal token reads cases only through `VisibleCases` and files through
/// `VisibleFiles` with its user's links (A7), and every change is the page's operation
/// (`RegisterCase`, `WriteCustomerMessage`, `ChangeClassification`, `AttachUploadedFiles`; for staff
/// `CreateStaffCase`, `EditCase`, `ChangeCaseStatus`, `WriteStaffMessage`, `AttachStaffCaseFiles`).
/// There is no business rule here; this file only translates between JSON and those calls.
struct APIHandler: APIProtocol {
    typealias Schemas = Components.Schemas

    /// The request, its principal and the operation context, for one call.
    struct Call {
        let request: Request
        let principal: APIPrincipal
        var db: any Database { request.database }
        var context: OperationContext { request.operations }

        static func current() throws -> Call {
            let request = try APIRequest.require()
            return Call(request: request, principal: try request.requireAPIPrincipal())
        }

        /// The problems of an operation as a 422 with each field's message in the caller's language.
        func problems<Field>(_ problems: Problems<Field>) -> APIFailure {
            let errors = problems.messages.keys.map { field in
                (field: Self.fieldName(field), message: problems.all(field).map { request.t($0) }.joined(separator: " "))
            }.sorted { $0.field < $1.field }
            return APIFailure(.unprocessableEntity, "Some fields need correcting.", errors: errors)
        }

        static func fieldName<Field>(_ field: Field) -> String {
            if let named = field as? any RawRepresentable, let raw = named.rawValue as? String { return raw }
            return String(describing: field)
        }

        func staffOnly() throws -> StaffActor {
            guard case .staff(let actor) = principal.caller else {
                throw APIFailure(.forbidden, "Only a staff token may do this.")
            }
            return actor
        }
    }

    /// The case with this number as the caller may see it (404 for one outside the access rule).
    static func caseDetail(_ number: Int32, _ call: Call) async throws -> CaseDetail {
        let found: CaseDetail? = switch call.principal.caller {
        case .portal(let principal): try await VisibleCases(database: call.db).find(number: Int(number), for: principal.visibility)
        case .staff: try await StaffCases(database: call.db).detail(number: Int(number))
        }
        guard let found else { throw OperationError.notFound }
        return found
    }

    /// Issue 12: a customer reads the catalogue's names in their language (the request's), else the
    /// default name; staff get the default names, as the back office shows them.
    static func localized(_ detail: CaseDetail, _ call: Call) async throws -> CaseDetail {
        guard case .portal = call.principal.caller else { return detail }
        let names = try await call.request.catalogueNames(), language = call.request.language
        var detail = detail
        detail.categoryName = names.name(.category, detail.categoryId, detail.categoryName, in: language)
        detail.caseTypeName = names.name(.caseType, detail.caseTypeId, detail.caseTypeName, in: language)
        detail.priorityName = names.name(.priority, detail.priorityId, detail.priorityName, in: language)
        return detail
    }

    // MARK: Cases

    func listCases(_ input: Operations.ListCases.Input) async throws -> Operations.ListCases.Output {
        let call = try Call.current()
        let query = input.query
        let limit = APICursor.limit(query.limit)
        let afterId = try APICursor.decode(query.cursor)
        var filter = CaseFilter()
        filter.text = query.q ?? ""
        filter.status = query.status.flatMap { CaseStatus(rawValue: $0.rawValue) }
        filter.statusGroup = query.group.flatMap { CaseFilter.StatusGroup(rawValue: $0.rawValue) } ?? .all
        filter.categoryId = query.categoryId.map(Int.init)
        filter.customerId = query.customerId.map(Int.init)
        filter.objectId = query.objectId.map(Int.init)
        // The cursor counts in creation order (`VisibleCases.keyset`).
        filter.sort = .newestFirst
        let items: [Schemas.CaseSummary]
        let next: String?
        switch call.principal.caller {
        case .portal(let principal):
            let rows = try await VisibleCases(database: call.db).page(for: principal.visibility, filter: filter, offset: 0,
                                                                       limit: limit + 1, afterId: afterId)
            let (page, cursor) = APICursor.page(rows, limit: limit, id: \.id)
            let names = try await call.request.catalogueNames(), language = call.request.language  // issue 12
            items = page.map { row in
                Schemas.CaseSummary(number: Int32(row.number), subject: row.subject, status: Self.status(row.status),
                                    createdAt: row.createdAt, createdByName: row.createdByName, origin: row.origin.rawValue,
                                    categoryName: names.name(.category, row.categoryId, row.categoryName, in: language),
                                    caseTypeName: names.name(.caseType, row.caseTypeId, row.caseTypeName, in: language),
                                    priorityName: names.name(.priority, row.priorityId, row.priorityName, in: language),
                                    customerName: row.customerName, objectName: row.objectName)
            }
            next = cursor
        case .staff:
            var staffFilter = StaffCaseFilter()
            staffFilter.base = filter
            let rows = try await StaffCases(database: call.db).page(staffFilter, offset: 0, limit: limit + 1, afterId: afterId)
            let (page, cursor) = APICursor.page(rows, limit: limit, id: \.id)
            items = page.map { row in
                Schemas.CaseSummary(number: Int32(row.number), subject: row.subject, status: Self.status(row.status),
                                    createdAt: row.createdAt, priorityName: row.priorityName, customerName: row.customerName,
                                    objectName: row.objectName)
            }
            next = cursor
        }
        return .ok(.init(body: .json(.init(items: items, nextCursor: next))))
    }

    func createCase(_ input: Operations.CreateCase.Input) async throws -> Operations.CreateCase.Output {
        let call = try Call.current()
        guard case .json(let body) = input.body else { throw APIFailure(.unsupportedMediaType) }
        func chosen(_ id: Int32?) -> ChosenId { ChosenId(id.map(Int.init)) }
        switch call.principal.caller {
        case .portal(let principal):
            let actor = try PortalActor(user: principal.user, viewer: principal.viewer)
            let registration = RegisterCase.Input(
                typeId: nil, subject: body.subject, description: body.description, category: chosen(body.categoryId),
                customer: chosen(body.customerId), object: chosen(body.objectId), workSiteAddress: body.workSiteAddress ?? "",
                referenceName: body.referenceName ?? "", copyEmail: nil, smsPhone: nil, fieldValues: [:], author: .none,
                language: call.request.language)
            switch try await RegisterCase.run(registration, by: actor, in: call.context) {
            case .problems(let problems): throw call.problems(problems)
            case .done(.caseCreated(let number)): return .created(.init(body: .json(.init(id: Int32(number), kind: ._case))))
            case .done(.inquirySent(let id)): return .created(.init(body: .json(.init(id: Int32(id), kind: .inquiry))))
            }
        case .staff(let actor):
            let creation = CreateStaffCase.Input(
                subject: body.subject, description: body.description, category: chosen(body.categoryId),
                priority: chosen(body.priorityId), customer: chosen(body.customerId), object: chosen(body.objectId),
                workSiteAddress: body.workSiteAddress ?? "", referenceName: body.referenceName ?? "")
            switch try await CreateStaffCase.run(creation, by: actor, in: call.context) {
            case .problems(let problems): throw call.problems(problems)
            case .done(let number): return .created(.init(body: .json(.init(id: Int32(number), kind: ._case))))
            }
        }
    }

    func getCase(_ input: Operations.GetCase.Input) async throws -> Operations.GetCase.Output {
        let call = try Call.current()
        return .ok(.init(body: .json(Self.schema(try await Self.localized(try await Self.caseDetail(input.path.number, call), call)))))
    }

    func updateCase(_ input: Operations.UpdateCase.Input) async throws -> Operations.UpdateCase.Output {
        let call = try Call.current()
        guard case .json(let change) = input.body else { throw APIFailure(.unsupportedMediaType) }
        let number = Int(input.path.number)
        /// 0 clears a choice; absent leaves it.
        func choice(_ id: Int32?) -> Int?? { id.map { $0 == 0 ? nil : Int($0) } }
        switch call.principal.caller {
        case .portal(let principal):
            guard change.subject == nil, change.description == nil else {
                throw APIFailure(.forbidden, "A portal token may change only category and priority.")
            }
            let actor = try PortalActor(user: principal.user, viewer: principal.viewer)
            let input = ChangeClassification.Input(caseNumber: number, expectedVersion: Int(change.version),
                                                   categoryId: choice(change.categoryId), priorityId: choice(change.priorityId))
            do {
                if case .problems(let problems) = try await ChangeClassification.run(input, by: actor, in: call.context) {
                    throw call.problems(problems)
                }
            } catch ChangeClassification.Failure.notOffered {
                // As on the case page (400 there): a category or priority the portal does not offer.
                throw APIFailure(.unprocessableEntity, "That category or priority is not offered.",
                                 errors: [("categoryId", call.request.t(ProblemKey.chooseFromList))])
            }
        case .staff(let actor):
            guard let record = try await StaffCases(database: call.db).find(number: number) else { throw OperationError.notFound }
            func kept(_ asked: Int??, _ current: Int?) -> ChosenId { ChosenId(asked ?? current) }
            let input = EditCase.Input(
                caseNumber: number, expectedVersion: Int(change.version), subject: change.subject ?? record.subject,
                description: change.description ?? record.description,
                category: kept(choice(change.categoryId), record.categoryId), type: ChosenId(record.caseTypeId),
                priority: kept(choice(change.priorityId), record.priorityId), handler: ChosenId(record.handlerId),
                supplier: ChosenId(record.supplierId), customer: ChosenId(record.customerId), object: ChosenId(record.objectId))
            if case .problems(let problems) = try await EditCase.run(input, by: actor, in: call.context) {
                throw call.problems(problems)
            }
        }
        return .ok(.init(body: .json(Self.schema(try await Self.localized(try await Self.caseDetail(input.path.number, call), call)))))
    }

    func changeCaseStatus(_ input: Operations.ChangeCaseStatus.Input) async throws -> Operations.ChangeCaseStatus.Output {
        let call = try Call.current()
        guard case .json(let change) = input.body else { throw APIFailure(.unsupportedMediaType) }
        let actor = try call.staffOnly()
        guard let next = CaseStatus(rawValue: change.status.rawValue) else { throw APIFailure(.badRequest) }
        _ = try await ChangeCaseStatus.run(.init(caseNumber: Int(input.path.number), expectedVersion: Int(change.version), next: next),
                                           by: actor, in: call.context)
        return .ok(.init(body: .json(Self.schema(try await Self.localized(try await Self.caseDetail(input.path.number, call), call)))))
    }

    // MARK: Messages, files, events

    func listCaseMessages(_ input: Operations.ListCaseMessages.Input) async throws -> Operations.ListCaseMessages.Output {
        let call = try Call.current()
        let detail = try await Self.caseDetail(input.path.number, call)
        let messages: [Schemas.Message]
        switch call.principal.caller {
        case .portal:
            messages = try await CaseConversation(database: call.db).publicMessages(caseId: detail.id, limit: 1_000).reversed().map {
                Schemas.Message(id: Int32($0.id), body: $0.body, authorName: $0.authorName, fromStaff: $0.authorKind == .staff,
                                _internal: false, createdAt: $0.createdAt)
            }
        case .staff:
            messages = try await StaffCases(database: call.db).allMessages(caseId: detail.id, limit: 1_000).reversed().map {
                Schemas.Message(id: Int32($0.id ?? 0), body: $0.body, authorName: $0.authorName, fromStaff: $0.authorKind == .staff,
                                _internal: $0.isInternal, createdAt: $0.createdAt)
            }
        }
        return .ok(.init(body: .json(messages)))
    }

    func addCaseMessage(_ input: Operations.AddCaseMessage.Input) async throws -> Operations.AddCaseMessage.Output {
        let call = try Call.current()
        guard case .json(let body) = input.body else { throw APIFailure(.unsupportedMediaType) }
        let number = Int(input.path.number)
        switch call.principal.caller {
        case .portal(let principal):
            guard body._internal != true else { throw APIFailure(.forbidden, "Only staff write internal notes.") }
            let actor = try PortalActor(user: principal.user, viewer: principal.viewer)
            let message = WriteCustomerMessage.Input(caseNumber: number, body: body.body, copyToMe: false, author: .none,
                                                     language: call.request.language)
            switch try await WriteCustomerMessage.run(message, by: actor, in: call.context) {
            case .problems(let problems): throw call.problems(problems)
            case .done(let written): return .created(.init(body: .json(.init(id: Int32(written.messageId), kind: .message))))
            }
        case .staff(let actor):
            let message = WriteStaffMessage.Input(caseNumber: number, body: body.body, isInternal: body._internal ?? false)
            if case .problems(let problems) = try await WriteStaffMessage.run(message, by: actor, in: call.context) {
                throw call.problems(problems)
            }
            // The operation answers with the case; the message is that case's newest by this member.
            let detail = try await Self.caseDetail(input.path.number, call)
            let written = try await CaseMessageRecord.query(on: call.db).filter(\.$caseId == detail.id)
                .filter(\.$authorStaffId == actor.staffId).sort(\.$id, .descending).first()
            return .created(.init(body: .json(.init(id: Int32(written?.id ?? 0), kind: .message))))
        }
    }

    func listCaseFiles(_ input: Operations.ListCaseFiles.Input) async throws -> Operations.ListCaseFiles.Output {
        let call = try Call.current()
        let detail = try await Self.caseDetail(input.path.number, call)
        // Issue 13 (C4): a portal token lists only shared files; a staff token every file of the case.
        var isStaff = false
        if case .staff = call.principal.caller { isStaff = true }
        let files = try await VisibleFiles(database: call.db).caseFiles(caseId: detail.id, includingUnshared: isStaff).map {
            Schemas.FileInfo(id: Int32($0.id), name: $0.originalName, size: Int64($0.byteSize), contentType: $0.contentType,
                             uploaderName: $0.uploaderName, createdAt: $0.createdAt)
        }
        return .ok(.init(body: .json(files)))
    }

    /// At most what the upload forms take (30 MB).
    static let largestUpload = 30 * 1_024 * 1_024

    func uploadCaseFile(_ input: Operations.UploadCaseFile.Input) async throws -> Operations.UploadCaseFile.Output {
        let call = try Call.current()
        guard case .binary(let bytes) = input.body else { throw APIFailure(.unsupportedMediaType) }
        // The case first, so nothing is stored for a case the caller cannot reach.
        _ = try await Self.caseDetail(input.path.number, call)
        let storage = call.request.caseport.storage
        let staged = try storage.stage()
        defer { staged.discard() }
        do {
            for try await chunk in bytes {
                guard staged.byteSize + chunk.count <= Self.largestUpload else { throw APIFailure(.payloadTooLarge) }
                try staged.write(chunk)
            }
        }
        staged.finish()
        guard staged.byteSize > 0 else {
            throw APIFailure(.unprocessableEntity, "The file is empty.", errors: [("file", call.request.t("upload_error_none"))])
        }
        let key = storage.newKey()
        let upload = AttachUploadedFiles.StoredUpload(
            storageKey: key, originalName: UploadIntake.cleanFilename(input.query.name),
            contentType: ContentSniffing.detect(Array(staged.head.prefix(16))) ?? "application/octet-stream", byteSize: staged.byteSize)
        try await storage.put(key: key, from: .staged(staged))
        do {
            switch call.principal.caller {
            case .portal(let principal):
                let actor = try PortalActor(user: principal.user, viewer: principal.viewer)
                _ = try await AttachUploadedFiles.run(.init(caseNumber: Int(input.path.number), files: [upload],
                                                            language: call.request.language), by: actor, in: call.context)
            case .staff(let actor):
                _ = try await AttachStaffCaseFiles.run(.init(caseNumber: Int(input.path.number), files: [upload],
                                                             language: call.request.language), by: actor, in: call.context)
            }
        } catch {
            try? await storage.delete(key: key)
            throw error
        }
        let file = try await StoredFileRecord.query(on: call.db).filter(\.$storageKey == key).first()
        return .created(.init(body: .json(.init(id: Int32(file?.id ?? 0), kind: .file))))
    }

    func downloadCaseFile(_ input: Operations.DownloadCaseFile.Input) async throws -> Operations.DownloadCaseFile.Output {
        let call = try Call.current()
        let detail = try await Self.caseDetail(input.path.number, call)
        let fileId = Int(input.path.fileId)
        let file: StoredFileRecord? = switch call.principal.caller {
        case .portal(let principal):
            // The download look-up the portal uses, which repeats the access rule in its own SQL.
            try await VisibleFiles(database: call.db).find(fileId: fileId, cases: principal.visibility,
                                                           register: FileVisibility(for: principal.viewer))
        case .staff:
            try await StaffFiles(database: call.db).find(fileId: fileId)
        }
        guard let file, file.caseId == detail.id, file.removedAt == nil else { throw OperationError.notFound }
        let object = try await call.request.caseport.storage.open(key: file.storageKey)
        let body = HTTPBody(object.chunks.map { ArraySlice($0) }, length: .known(Int64(object.length)), iterationBehavior: .single)
        return .ok(.init(body: .binary(body)))
    }

    func listCaseEvents(_ input: Operations.ListCaseEvents.Input) async throws -> Operations.ListCaseEvents.Output {
        let call = try Call.current()
        let detail = try await Self.caseDetail(input.path.number, call)
        var events = try await CaseEvents.timeline(caseId: detail.id, limit: 1_000, on: call.db)
        // A customer sees only the events meant for customers (internal notes, assignments and
        // reminders are staff-only, `CaseEvent.defaultAudience`).
        if case .portal = call.principal.caller { events = events.filter { $0.audience == .customer } }
        let decoder = JSONDecoder()
        let items = try events.reversed().map { stored in
            let payload = try stored.event.encodedPayload().map {
                try decoder.decode(OpenAPIObjectContainer.self, from: Data($0.utf8))
            } ?? OpenAPIObjectContainer()
            return Schemas.CaseEvent(id: Int64(stored.id), kind: stored.event.kind.rawValue, at: stored.at,
                                     actorName: stored.actor.name, payload: .init(additionalProperties: payload))
        }
        return .ok(.init(body: .json(items)))
    }

    // MARK: Mapping

    static func status(_ status: CaseStatus) -> Schemas.CaseStatus { Schemas.CaseStatus(rawValue: status.rawValue) ?? .new }

    static func schema(_ detail: CaseDetail) -> Schemas.Case {
        Schemas.Case(
            number: Int32(detail.number), subject: detail.subject, description: detail.description, status: status(detail.status),
            categoryId: detail.categoryId.map(Int32.init), categoryName: detail.categoryName,
            caseTypeId: detail.caseTypeId.map(Int32.init), caseTypeName: detail.caseTypeName,
            priorityId: detail.priorityId.map(Int32.init), priorityName: detail.priorityName,
            customerId: detail.customerId.map(Int32.init), customerName: detail.customerName,
            objectId: detail.objectId.map(Int32.init), objectName: detail.objectName,
            workSiteAddress: detail.workSiteAddress, referenceName: detail.referenceName,
            createdAt: detail.createdAt, updatedAt: detail.updatedAt, createdByName: detail.createdByName,
            origin: detail.origin.rawValue, version: Int32(detail.version))
    }
}
