import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// Issue 11, point 2: a user turns the e-mails about their cases on or off, from their own user page
/// (`/users/<own id>`, reached by the signed-in name in the header). `ChooseCaseMail` saves it.
struct PortalCaseMailController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.caseMail, use: save)
    }

    func save(request: Request) async throws -> Response {
        let form = try request.form(CaseMailForm.self)
        let actor = try request.portalMember()
        try await ChooseCaseMail.run(wanted: form.caseMail, by: actor, in: request.operations)
        return request.redirect(to: PortalRoute.user, actor.userId, notice: .saved, fragment: "case-mail")
    }
}

/// The one checkbox; unticked is not sent, so an empty post turns the mails off.
struct CaseMailForm: PostedForm {
    static var longestValue: Int { 10 }
    var caseMail = false

    enum CodingKeys: String, CodingKey { case caseMail = "case_mail" }
}
