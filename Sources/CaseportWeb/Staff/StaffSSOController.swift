import CaseportCore
import CaseportOperations
import CaseportStore
import Crypto
import Fluent
import Vapor

/// Staff single sign-on (issue 16, point 4): OpenID Connect's authorization code flow with PKCE (S256),
/// state and nonce. `/staff/login/sso` remembers a fresh state, nonce and code verifier (`oidc_logins`,
/// so any node can finish the login; the state also goes into a cookie of this browser, so a login
/// started elsewhere cannot be finished here) and sends the browser to the provider. The provider sends
/// it back to `/staff/login/sso/callback` with a code, which is exchanged for tokens at the token
/// endpoint (with the client secret and the verifier); the ID token is checked by `IDTokenVerifier`
/// and the person is found or created by `StaffSSOSignIn`. Any failure shows the login page with one
/// message — the password login below it stays usable while the provider is down.
struct StaffSSOController: RouteCollection {
    static let stateCookie = "caseport_sso"
    static let loginLifetime: TimeInterval = 600

    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.ssoStart, use: start)
        routes.on(StaffRoute.ssoCallback, use: callback)
    }

    func start(request: Request) async throws -> Response {
        guard let provider = request.application.oidcProvider else { throw Abort(.notFound) }
        let metadata: OIDCProvider.Metadata
        do {
            metadata = try await provider.discovery()
        } catch {
            request.logger.warning("sso: \(error)")
            return try await StaffLoginController.render(request, email: "", error: request.t("sso_error_unavailable"))
        }
        let state = Self.randomToken(), nonce = Self.randomToken(), verifier = Self.randomToken() + Self.randomToken()
        let login = OIDCLoginRecord()
        login.id = state
        login.nonce = nonce
        login.codeVerifier = verifier
        login.createdAt = Date().timeIntervalSince1970
        try await login.create(on: request.database)
        // Logins nobody finished are cleared here, when a new one starts.
        try await OIDCLoginRecord.query(on: request.database)
            .filter(\.$createdAt < Date().timeIntervalSince1970 - Self.loginLifetime).delete()

        let challenge = Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
        guard var components = URLComponents(string: metadata.authorization_endpoint) else { throw Abort(.badGateway) }
        components.queryItems = (components.queryItems ?? []) + [
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: request.oidcConfig.clientId),
            URLQueryItem(name: "redirect_uri", value: redirectURI(request)),
            URLQueryItem(name: "scope", value: "openid email profile"),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "nonce", value: nonce),
            URLQueryItem(name: "code_challenge", value: challenge),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        guard let target = components.url?.absoluteString else { throw Abort(.badGateway) }
        let response = request.redirect(to: target, redirectType: .normal)
        var cookie = request.cookie(state, maxAge: Int(Self.loginLifetime))
        cookie.path = StaffRoute.ssoCallback.path()
        response.cookies[Self.stateCookie] = cookie
        return response
    }

    func callback(request: Request) async throws -> Response {
        guard let provider = request.application.oidcProvider else { throw Abort(.notFound) }
        let config = request.oidcConfig
        func refuse(_ reason: String, key: String = "sso_error_failed") async throws -> Response {
            request.logger.warning("sso: login refused: \(reason)")
            try await StaffSSOSignIn.recordRefusedToken(reason: String(reason.prefix(300)), in: request.operations)
            let response = try await StaffLoginController.render(request, email: "", error: request.t(key))
            response.cookies[Self.stateCookie] = request.expiredCookie()
            return response
        }
        let state = (try? request.query.get(String.self, at: "state")) ?? ""
        guard !state.isEmpty, state.count <= 100, let cookieState = request.parsedCookies[Self.stateCookie]?.string,
              IDTokenVerifier.constantTimeEqual(state, cookieState) else {
            return try await refuse("state missing or not this browser's")
        }
        // One use: the row goes whatever happens next.
        guard let login = try await OIDCLoginRecord.find(state, on: request.database) else { return try await refuse("unknown state") }
        try await login.delete(on: request.database)
        guard Date().timeIntervalSince1970 - login.createdAt < Self.loginLifetime else { return try await refuse("login took too long") }
        if let error = try? request.query.get(String.self, at: "error") {
            return try await refuse("the provider answered \(error.prefix(100))")
        }
        guard let code = try? request.query.get(String.self, at: "code"), !code.isEmpty, code.count <= 4_000 else {
            return try await refuse("no code")
        }

        let idToken: String
        do {
            idToken = try await exchange(code: code, verifier: login.codeVerifier, request: request, provider: provider)
        } catch {
            return try await refuse("token exchange: \(error)", key: "sso_error_unavailable")
        }
        let claims: IDTokenVerifier.Claims
        do {
            let header = try IDTokenVerifier.header(of: idToken)
            let keys = try await provider.keys(for: header.kid)
            claims = try IDTokenVerifier.verify(idToken, keys: keys, issuer: config.issuer, clientId: config.clientId,
                                                nonce: login.nonce, now: Date(), leeway: config.leeway)
        } catch let refusal as IDTokenVerifier.Refusal {
            return try await refuse("ID token: \(refusal)")
        } catch {
            return try await refuse("keys: \(error)", key: "sso_error_unavailable")
        }
        let identity = StaffSSOSignIn.Identity(issuer: claims.issuer, subject: claims.subject,
                                               email: claims.emailVerified == false ? nil : claims.email, name: claims.name,
                                               groups: claims.strings(config.groupsClaim))
        switch try await StaffSSOSignIn.run(identity, policy: config.policy, passwords: request.caseport.passwords,
                                            in: request.operations) {
        case .signedIn(let staffId):
            let response = try await startSession(request, realm: .staff, userId: staffId, redirect: StaffRoute.home.path())
            response.cookies[Self.stateCookie] = request.expiredCookie()
            return response
        case .refused(let refusal):
            let response = try await StaffLoginController.render(request, email: "", error: request.t(refusal.messageKey))
            response.cookies[Self.stateCookie] = request.expiredCookie()
            return response
        }
    }

    /// POSTs the code to the token endpoint (client_secret_basic) and returns the ID token.
    private func exchange(code: String, verifier: String, request: Request, provider: OIDCProvider) async throws -> String {
        struct TokenAnswer: Decodable { var id_token: String? }
        let config = request.oidcConfig
        let metadata = try await provider.discovery()
        let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI(request)),
                    ("code_verifier", verifier)]
        var components = URLComponents()
        components.queryItems = form.map { URLQueryItem(name: $0.0, value: $0.1) }
        let body = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        let basic = Data("\(Self.formEncode(config.clientId)):\(Self.formEncode(config.clientSecret))".utf8).base64EncodedString()
        let response = try await request.client.post(URI(string: metadata.token_endpoint)) { outgoing in
            outgoing.headers.contentType = .urlEncodedForm
            outgoing.headers.add(name: .authorization, value: "Basic \(basic)")
            outgoing.headers.add(name: .accept, value: "application/json")
            outgoing.body = ByteBuffer(string: body)
            outgoing.timeout = .seconds(10)
        }
        guard response.status == .ok, let buffer = response.body,
              let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(buffer.readableBytesView)),
              let token = answer.id_token else {
            throw Abort(.badGateway, reason: "token endpoint answered \(response.status.code)")
        }
        return token
    }

    private func redirectURI(_ request: Request) -> String {
        request.publicBaseURL + StaffRoute.ssoCallback.path()
    }

    /// RFC 6749 2.3.1: client id and secret are form-encoded before they go into Basic.
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode(Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }
}

extension Request {
    var oidcConfig: OIDCConfig { caseport.config.oidc! }
}
