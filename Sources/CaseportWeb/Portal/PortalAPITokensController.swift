import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// A customer administrator's API tokens (issue 16): the tokens of their own organisation, a form that
/// makes one for a user they manage (it sees exactly what that user sees), and revocation. Who may
/// manage whom is `PortalUserAdmin`, as on the user pages; anyone else gets 404.
struct PortalAPITokensController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(PortalRoute.apiTokens, use: list)
        routes.on(PortalRoute.apiTokenCreate, use: create)
        routes.on(PortalRoute.apiTokenRevoke, use: revoke)
    }

    func page(_ request: Request, values: APITokenForm = .empty, errors: [String: String] = [:],
              newToken: String? = nil) async throws -> APITokensPage {
        let admin = try await PortalUserAdmin.of(try request.portalMember(), on: request.database)
        guard admin.isAdmin else { throw Abort(.notFound) }
        let users = try await PortalUserRecord.query(on: request.database).filter(\.$organisationId == admin.organisationId)
            .filter(\.$removedAt == nil).sort(\.$firstName).sort(\.$lastName).all()
        let names = Dictionary(uniqueKeysWithValues: users.compactMap { user in user.id.map { ($0, "\(user.displayName) (\(user.username))") } })
        let tokens = try await APITokens(database: request.database).portalTokens(organisationId: admin.organisationId)
        return APITokensPage(
            layout: Layout(request, title: request.t("api_tokens_title")),
            rows: tokens.map { APITokenRow($0, owner: $0.portalUserId.flatMap { names[$0] } ?? "–", request: request) },
            owners: users.filter(\.isActive).map {
                SelectOption(value: String($0.id ?? 0), name: "\($0.displayName) (\($0.username))", selected: String($0.id ?? 0) == values.owner)
            },
            roles: [], scopes: APITokensPage.scopes(values.scope, request), values: values, errors: errors,
            hasErrors: !errors.isEmpty, newToken: newToken, notice: request.notice([.deleted], prefix: "api_tokens_notice_"))
    }

    func list(request: Request) async throws -> View {
        try await request.view.render("portal/api-tokens", try await page(request))
    }

    func create(request: Request) async throws -> Response {
        let form = try request.form(APITokenForm.self)
        let render = { (errors: [String: String], token: String?, status: HTTPStatus) async throws -> Response in
            let response = try await request.view.render("portal/api-tokens", try await page(
                request, values: token == nil ? form : .empty, errors: errors, newToken: token)).encodeResponse(for: request)
            response.status = status
            return response
        }
        guard let ownerId = Int(form.owner) else {
            return try await render(["owner": request.t(ProblemKey.chooseFromList)], nil, .unprocessableEntity)
        }
        switch try await CreateAPIToken.forPortalUser(form.input, portalUserId: ownerId, by: try request.portalMember(),
                                                      in: request.operations) {
        case .problems(let problems): return try await render(request.texts(problems), nil, .unprocessableEntity)
        case .done(let created): return try await render([:], created.token, .ok)
        }
    }

    func revoke(request: Request) async throws -> Response {
        guard let id = request.parameters.get("tokenId", as: Int.self) else { throw Abort(.notFound) }
        // Issue 12 point 7: "Revoke" asks first, naming the token; only the question's button revokes.
        guard ConfirmStep.isConfirmed(request) else {
            let admin = try await PortalUserAdmin.of(try request.portalMember(), on: request.database)
            guard admin.isAdmin, let token = try await APITokens(database: request.database)
                .portalTokens(organisationId: admin.organisationId).first(where: { $0.id == id }) else { throw Abort(.notFound) }
            return try await ConfirmStep(
                layout: Layout(request, title: request.t("confirm_token_revoke_title")),
                heading: request.t("confirm_token_revoke_title"),
                question: request.t("confirm_token_revoke_question").replacingOccurrences(of: "{name}", with: token.name),
                detail: request.t("confirm_token_revoke_detail"), action: PortalRoute.apiTokenRevoke.path(id),
                button: request.t("api_tokens_revoke"), cancelHref: PortalRoute.apiTokens.path()).response(request)
        }
        do {
            try await RevokeAPIToken.run(tokenId: id, by: try request.portalMember(), in: request.operations)
        } catch OperationError.alreadyDone {}
        return request.redirect(to: PortalRoute.apiTokens, notice: .deleted)
    }
}
