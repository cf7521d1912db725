import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// The staff admin's API tokens (issue 16): every staff token, a form that makes one for any active
/// staff member (shown once, on the answer to the post — never in a URL), and revocation.
struct StaffAPITokensController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.apiTokens, use: list)
        routes.on(StaffRoute.apiTokenCreate, use: create)
        routes.on(StaffRoute.apiTokenRevoke, use: revoke)
    }

    func page(_ request: Request, values: APITokenForm = .empty, errors: [String: String] = [:],
              newToken: String? = nil) async throws -> APITokensPage {
        let staff = try await StaffUserRecord.query(on: request.database).sort(\.$name).all()
        let names = Dictionary(uniqueKeysWithValues: staff.compactMap { user in user.id.map { ($0, "\(user.name) <\(user.email)>") } })
        let tokens = try await APITokens(database: request.database).staffTokens()
        return APITokensPage(
            layout: Layout(request, title: request.t("api_tokens_title"), area: "staff"),
            rows: tokens.map { APITokenRow($0, owner: $0.staffUserId.flatMap { names[$0] } ?? "–", request: request) },
            owners: staff.filter(\.isActive).map {
                SelectOption(value: String($0.id ?? 0), name: "\($0.name) <\($0.email)>", selected: String($0.id ?? 0) == values.owner)
            },
            roles: StaffRole.allCases.map {
                SelectOption(value: $0.rawValue, name: request.t("staff_role_\($0.rawValue)"), selected: $0.rawValue == values.role)
            },
            scopes: APITokensPage.scopes(values.scope, request), values: values, errors: errors, hasErrors: !errors.isEmpty,
            newToken: newToken, notice: request.notice([.deleted], prefix: "api_tokens_notice_"))
    }

    func list(request: Request) async throws -> View {
        try await request.view.render("staff/api-tokens", try await page(request))
    }

    func create(request: Request) async throws -> Response {
        let form = try request.form(APITokenForm.self)
        let render = { (errors: [String: String], token: String?, status: HTTPStatus) async throws -> Response in
            let response = try await request.view.render("staff/api-tokens", try await page(
                request, values: token == nil ? form : .empty, errors: errors, newToken: token)).encodeResponse(for: request)
            response.status = status
            return response
        }
        guard let ownerId = Int(form.owner), try await StaffUserRecord.find(ownerId, on: request.database) != nil else {
            return try await render(["owner": request.t(ProblemKey.chooseFromList)], nil, .unprocessableEntity)
        }
        let role = StaffRole(rawValue: form.role)
        switch try await CreateAPIToken.forStaff(form.input, staffUserId: ownerId, role: role, by: .admin(try request.staffMember()),
                                                 in: request.operations) {
        case .problems(let problems): return try await render(request.texts(problems), nil, .unprocessableEntity)
        case .done(let created): return try await render([:], created.token, .ok)
        }
    }

    func revoke(request: Request) async throws -> Response {
        guard let id = request.parameters.get("id", as: Int.self) else { throw Abort(.notFound) }
        // Issue 12 point 7: "Revoke" asks first, naming the token; only the question's button revokes.
        guard ConfirmStep.isConfirmed(request) else {
            guard request.staffPrincipal?.user.role == .admin else { throw Abort(.forbidden) }
            guard let token = try await APITokens(database: request.database).staffTokens().first(where: { $0.id == id }) else {
                throw Abort(.notFound)
            }
            return try await ConfirmStep(
                layout: Layout(request, title: request.t("confirm_token_revoke_title"), area: "staff"),
                heading: request.t("confirm_token_revoke_title"),
                question: request.t("confirm_token_revoke_question").replacingOccurrences(of: "{name}", with: token.name),
                detail: request.t("confirm_token_revoke_detail"), action: StaffRoute.apiTokenRevoke.path(id),
                button: request.t("api_tokens_revoke"), cancelHref: StaffRoute.apiTokens.path()).response(request)
        }
        do {
            try await RevokeAPIToken.run(tokenId: id, by: try request.staffMember(), in: request.operations)
        } catch OperationError.alreadyDone {}
        return request.redirect(to: StaffRoute.apiTokens, notice: .deleted)
    }
}
