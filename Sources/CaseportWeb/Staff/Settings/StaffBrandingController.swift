import CaseportCore
import CaseportStore
import Vapor

/// Branding (C8): the six colours and the logo, with a preview before saving. "Preview" renders the
/// page with the typed colours applied to a sample of the portal (no JavaScript needed; a small
/// script also updates the sample while typing). Colours are accepted only as `#rrggbb`.
struct StaffBrandingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.branding, use: show)
        routes.on(StaffRoute.brandingSubmit, use: submit)
        routes.on(StaffRoute.brandingPreview, use: previewStylesheet)
        // The logo form is multipart; its CSRF token is in the action URL (see CSRFMiddleware).
        routes.on(StaffRoute.brandingLogo, body: .collect(maxSize: "3mb"), use: uploadLogo).acceptsMultipart()
        routes.on(StaffRoute.brandingLogoDelete, use: removeLogo)
    }

    struct ColourField: Encodable {
        var name: String
        var label: String
        var value: String
        var standard: String
        var error: String?
    }

    struct Page: Encodable {
        var layout: Layout
        var tabs: [SettingsTab]
        var notice: String?
        var hasErrors: Bool
        var colours: [ColourField]
        var previewStylesheet: String
        var previewing: Bool
        var logoError: String?
    }

    static func fieldName(_ colour: Branding.Colour) -> String { "colour_\(colour.rawValue.replacingOccurrences(of: "-", with: "_"))" }

    func show(request: Request) async throws -> Response {
        let branding = try await SettingsStore(database: request.db).load().branding
        let notice = request.notice([.saved, .logoSaved, .logoRemoved], prefix: "branding_notice_")
        var typed: [String: String] = [:]
        for colour in Branding.Colour.allCases { typed[Self.fieldName(colour)] = branding.colour(colour) }
        return try await render(request, typed: typed, errors: [:], notice: notice, previewing: false)
    }

    /// Checks the six fields: each `#rrggbb` or empty (empty = the default).
    static func parse(_ values: [String: String]) -> (colours: [String: String], errors: [String: String]) {
        var colours: [String: String] = [:], errors: [String: String] = [:]
        for colour in Branding.Colour.allCases {
            let name = fieldName(colour)
            let typed = (values[name] ?? "").trimmingCharacters(in: .whitespaces)
            if typed.isEmpty { continue }
            if let valid = Branding.normalisedColour(typed) { colours[colour.rawValue] = valid } else { errors[name] = "branding_error_colour" }
        }
        return (colours, errors)
    }

    func submit(request: Request) async throws -> Response {
        let values = request.formValues(longest: 100)
        let (colours, errors) = Self.parse(values)
        let localized = errors.mapValues { request.t($0) }
        if !errors.isEmpty || values["action"] == "preview" {
            return try await render(request, typed: values, errors: localized, notice: nil, previewing: errors.isEmpty,
                                    status: errors.isEmpty ? .ok : .unprocessableEntity)
        }
        let store = SettingsStore(database: request.db)
        var settings = try await store.load()
        let before = settings.branding
        let standardised = colours.filter { key, value in Branding.Colour(rawValue: key)?.standard != value }
        guard standardised != before.colours else { return request.redirect(to: StaffRoute.branding, notice: .saved) }
        settings.branding.colours = standardised
        settings.branding.revision += 1
        let changes = Branding.Colour.allCases.map {
            SettingsAudit.Change(field: "branding \($0.rawValue)", before: before.colour($0), after: settings.branding.colour($0))
        }
        let saved = settings
        try await request.db.transaction { tx in
            try await SettingsStore(database: tx).save(saved)
            try await SettingsAudit.record(changes, subject: "branding", request: request, on: tx)
        }
        return request.redirect(to: StaffRoute.branding, notice: .saved)
    }

    func render(_ request: Request, typed: [String: String], errors: [String: String], notice: String?, previewing: Bool,
                logoError: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        // The sample uses the typed colours that are valid, the defaults for the rest.
        let previewLink = StaffRoute.brandingPreview.path([], query: Branding.Colour.allCases.compactMap { colour in
            (typed[Self.fieldName(colour)]).flatMap(Branding.normalisedColour).map { (colour.rawValue, $0) }
        })
        let page = Page(
            layout: Layout(request, title: request.t("branding_title"), area: "staff"),
            tabs: SettingsTab.all(request), notice: notice, hasErrors: !errors.isEmpty || logoError != nil,
            colours: Branding.Colour.allCases.map { colour in
                let name = Self.fieldName(colour)
                return ColourField(name: name, label: request.t("branding_\(name)"), value: typed[name] ?? "",
                                   standard: colour.standard, error: errors[name])
            },
            previewStylesheet: previewLink, previewing: previewing, logoError: logoError)
        let response = try await request.view.render("staff/settings-branding", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    /// The sample's colours, scoped to the preview box. Only strict `#rrggbb` values get in.
    func previewStylesheet(request: Request) async throws -> Response {
        var colours: [String: String] = [:]
        for colour in Branding.Colour.allCases {
            if let value = (try? request.query.get(String.self, at: colour.rawValue)).flatMap(Branding.normalisedColour) {
                colours[colour.rawValue] = value
            }
        }
        let css = ".branding-preview{\(Branding().declarations(colours))}\n"
        let response = Response(status: .ok, body: .init(string: css))
        response.headers.replaceOrAdd(name: .contentType, value: "text/css; charset=utf-8")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=3600")
        return response
    }

    struct LogoUpload: Content {
        var logo: File?
    }

    func uploadLogo(request: Request) async throws -> Response {
        let settingsStore = SettingsStore(database: request.db)
        var settings = try await settingsStore.load()
        func refuse(_ key: String) async throws -> Response {
            var typed: [String: String] = [:]
            for colour in Branding.Colour.allCases { typed[Self.fieldName(colour)] = settings.branding.colour(colour) }
            return try await render(request, typed: typed, errors: [:], notice: nil, previewing: false, logoError: request.t(key),
                                    status: .unprocessableEntity)
        }
        guard let upload = try? request.content.decode(LogoUpload.self), let file = upload.logo, file.data.readableBytes > 0 else {
            return try await refuse("branding_error_logo_missing")
        }
        guard file.data.readableBytes <= Branding.logoMaximumBytes else { return try await refuse("branding_error_logo_size") }
        let bytes = Array(file.data.readableBytesView)
        // The claimed type and name are ignored: only the bytes decide.
        guard let type = ContentSniffing.detect(Array(bytes.prefix(16))), Branding.logoTypes.contains(type) else {
            return try await refuse("branding_error_logo_type")
        }
        let storage = request.caseport.storage
        let key = storage.newKey()
        try await storage.put(key: key, bytes: bytes)
        let oldKey = settings.branding.logoKey
        settings.branding.logoKey = key
        settings.branding.logoType = type
        settings.branding.revision += 1
        let saved = settings
        try await request.db.transaction { tx in
            try await SettingsStore(database: tx).save(saved)
            try await SettingsAudit.record([.init(field: "branding logo", before: oldKey == nil ? "none" : "uploaded",
                                                  after: "\(type), \(bytes.count) bytes")],
                                           subject: "branding", request: request, on: tx)
        }
        if let oldKey { try? await storage.delete(key: oldKey) }
        return request.redirect(to: StaffRoute.branding, notice: .logoSaved)
    }

    func removeLogo(request: Request) async throws -> Response {
        var settings = try await SettingsStore(database: request.db).load()
        guard let oldKey = settings.branding.logoKey else { return request.redirect(to: StaffRoute.branding) }
        settings.branding.logoKey = nil
        settings.branding.logoType = nil
        settings.branding.revision += 1
        let saved = settings
        try await request.db.transaction { tx in
            try await SettingsStore(database: tx).save(saved)
            try await SettingsAudit.record([.init(field: "branding logo", before: "uploaded", after: "none")],
                                           subject: "branding", request: request, on: tx)
        }
        try? await request.caseport.storage.delete(key: oldKey)
        return request.redirect(to: StaffRoute.branding, notice: .logoRemoved)
    }
}
