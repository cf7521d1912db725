import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// "What I sent" (D2): where the deployment takes inquiries first, a portal user sees the inquiries
/// they sent — only their own, never another user's — with what they wrote and, once staff made a
/// case of it, a link to that case (which the A7 rule then governs like any other).
struct PortalInquiriesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.inquiries, use: list)
        routes.on(PortalRoute.inquiry, use: show)
    }

    struct Row: Encodable {
        var id: Int
        var subject: String
        var sentAt: String
        var state: String
        var caseNumber: Int?
    }

    struct ListPage: Encodable {
        var layout: Layout
        var rows: [Row]
    }

    struct Shown: Encodable {
        var label: String
        var value: String
    }

    struct DetailPage: Encodable {
        var layout: Layout
        var received: Bool
        var subject: String
        var description: String
        var sentAt: String
        var state: String
        var caseNumber: Int?
        var details: [Shown]
    }

    func caseNumbers(_ inquiries: [InquiryRecord], on db: any Database) async throws -> [Int: Int] {
        let ids = inquiries.compactMap(\.caseId)
        guard !ids.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await CaseRecord.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0.number) })
    }

    func state(_ inquiry: InquiryRecord, request: Request) -> String {
        inquiry.status == .new ? request.t("inquiry_state_waiting") : request.t("inquiry_state_processed")
    }

    func list(request: Request) async throws -> View {
        let principal = try request.requirePortal()
        let inquiries = try await Inquiries(database: request.database).sentBy(userId: try principal.user.requireID())
        let numbers = try await caseNumbers(inquiries, on: request.database)
        let page = ListPage(
            layout: Layout(request, title: request.t("inquiries_title")),
            rows: inquiries.map {
                Row(id: $0.id!, subject: $0.subject, sentAt: request.language.formatDateTime($0.createdAt),
                    state: state($0, request: request), caseNumber: $0.caseId.flatMap { numbers[$0] })
            })
        return try await request.view.render("portal/inquiries", page)
    }

    func show(request: Request) async throws -> View {
        let principal = try request.requirePortal()
        // Only the sender reads an inquiry; anyone else gets the same 404 as for one that does not exist.
        guard let id = request.parameters.get("id").flatMap(Int.init),
              let inquiry = try await Inquiries(database: request.database).find(id: id),
              inquiry.createdByUserId == principal.user.id else { throw Abort(.notFound) }
        let numbers = try await caseNumbers([inquiry], on: request.database)
        var details: [Shown] = []
        if let typeId = inquiry.caseTypeId, let type = try await CaseTypeRecord.find(typeId, on: request.database) {
            details.append(Shown(label: request.t("case_type"), value: type.name))
        }
        if let categoryId = inquiry.categoryId, let category = try await CategoryRecord.find(categoryId, on: request.database) {
            details.append(Shown(label: request.t("case_category"), value: category.name))
        }
        if let objectId = inquiry.objectId, let object = try await ObjectRecord.find(objectId, on: request.database) {
            details.append(Shown(label: request.t("case_object"), value: "\(object.name), \(object.address)"))
        }
        if let address = inquiry.workSiteAddress { details.append(Shown(label: request.t("new_case_work_site_address"), value: address)) }
        if let reference = inquiry.referenceName { details.append(Shown(label: request.t("new_case_reference_name"), value: reference)) }
        details += inquiry.fieldValues.map { Shown(label: $0.label, value: $0.value) }
        let page = DetailPage(
            layout: Layout(request, title: inquiry.subject),
            received: request.noticeInURL?.kind == .received,
            subject: inquiry.subject, description: inquiry.description,
            sentAt: request.language.formatDateTime(inquiry.createdAt), state: state(inquiry, request: request),
            caseNumber: inquiry.caseId.flatMap { numbers[$0] }, details: details)
        return try await request.view.render("portal/inquiry", page)
    }
}
