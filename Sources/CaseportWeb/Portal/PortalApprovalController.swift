import CaseportCore
import CaseportOperations
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
        try await answer(request, .approved, comment: "", author: .none)
    }

    func reject(request: Request) async throws -> Response {
        let form = try request.form(ApprovalForm.self)
        // A8: on a shared account "Not OK" is written by the person chosen beside it.
        let author: AuthorChoice = Int(form.person).map { .saved(personId: $0) } ?? .none
        return try await answer(request, .notOK(comment: form.comment), comment: form.comment, author: author)
    }

    private func answer(_ request: Request, _ answer: AnswerApproval.Answer, comment: String,
                        author: AuthorChoice) async throws -> Response {
        let input = AnswerApproval.Input(caseNumber: try PortalCaseController.caseNumber(request), answer: answer,
                                         language: request.language, author: author)
        switch try await AnswerApproval.run(input, by: try request.portalMember(), in: request.operations) {
        case .done(.approved(let number)):
            return request.redirect(to: PortalRoute.`case`, number, notice: .approved)
        case .done(.rejected(let number)):
            let response = request.redirect(to: PortalRoute.`case`, number, notice: .rejected)
            PersonPicker.remember(author, on: response, request: request)
            return response
        case .done(.notAwaiting(let number)):
            return request.redirect(to: PortalRoute.`case`, number)
        case .problems(let problems):
            let pages = PortalCaseController()
            let (principal, detail) = try await pages.findCase(request)
            var state = PortalCaseController.PageState()
            state.approvalComment = comment.trimmed
            state.errors = request.texts(problems) { field in
                if case .author = field { return "approval_person" }
                return "approval"
            }
            return try await pages.render(request, principal: principal, detail: detail, state: state, status: .unprocessableEntity)
        }
    }
}

/// "Not OK" and what is not (B6). Kept a little past the message limit, so "too long" is told apart.
struct ApprovalForm: PostedForm {
    static var longestValue: Int { InputLimits.message + 1 }
    var comment = ""
    var person = ""
}
