import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// B6: the customer's answer to a resolved case. "Approved" closes it; "Not OK" needs a comment and
/// reopens it. Both are refused unless the case is resolved (the buttons are shown only then).
struct PortalApprovalController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.caseApprove, use: approve)
        routes.on(PortalRoute.caseReject, use: reject)
    }

    func approve(request: Request) async throws -> Response {
        let pages = PortalCaseController()
        let (principal, detail) = try await pages.findCase(request)
        guard detail.status == .resolved else { return request.redirect(to: PortalRoute.`case`, detail.number) }
        let user = principal.user
        try await CaseApproval(database: request.db).approve(
            caseId: detail.id, author: .init(kind: .customer, userId: try user.requireID(), name: user.displayName),
            message: request.t("approval_approved_message"))
        return request.redirect(to: PortalRoute.`case`, detail.number, notice: .approved)
    }

    func reject(request: Request) async throws -> Response {
        let pages = PortalCaseController()
        let (principal, detail) = try await pages.findCase(request)
        guard detail.status == .resolved else { return request.redirect(to: PortalRoute.`case`, detail.number) }
        let comment = (request.formValues(longest: InputLimits.message + 1)["comment"] ?? "").trimmed
        var state = PortalCaseController.PageState()
        state.approvalComment = comment
        if comment.isEmpty { state.errors["approval"] = request.t("approval_comment_required") }
        if comment.count > InputLimits.message { state.errors["approval"] = request.t("form_too_long") }
        guard state.errors.isEmpty else {
            return try await pages.render(request, principal: principal, detail: detail, state: state, status: .unprocessableEntity)
        }
        let user = principal.user
        let body = Notifications.fill(request.t("approval_rejected_message"), ["comment": comment])
        let notifications = try await Notifications.toHandler(request, caseId: detail.id, kind: "handler_customer_message",
                                                              author: user.displayName, text: body)
        try await CaseApproval(database: request.db).reject(
            caseId: detail.id, author: .init(kind: .customer, userId: try user.requireID(), name: user.displayName),
            message: body, notifications: notifications)
        return request.redirect(to: PortalRoute.`case`, detail.number, notice: .rejected)
    }
}
