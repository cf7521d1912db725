import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// Branding (C8): the seven colours and the logo, with a preview before saving. "Preview" renders the
/// page with the typed colours applied to a sample of the portal (no JavaScript needed; a small
/// script also updates the sample while typing and shows a colour picker beside each hex field, kept
/// in sync with it). Colours are accepted only as `#rrggbb`; the hex field alone works without JavaScript.
struct StaffBrandingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.branding, use: show)
        routes.on(StaffRoute.brandingSubmit, use: submit)
        routes.on(StaffRoute.brandingPreview, use: previewStylesheet)
        // The logo form is multipart; its CSRF token is in the action URL (see CSRFMiddleware).
        routes.on(StaffRoute.brandingLogo, body: .collect(maxSize: "3mb"), use: uploadLogo).acceptsMultipart(collecting: 3 * 1024 * 1024)
        routes.on(StaffRoute.brandingLogoDelete, use: removeLogo)
    }

    struct ColourField: Encodable {
        var name: String
        var label: String
        var value: String
        var standard: String
        /// What the colour picker starts at: the typed colour when valid, else the default.
        var pickerValue: String
        var error: String?
        /// A readability warning (contrast below 4.5:1); the colour is still accepted.
        var warning: String?
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
        /// Whether the portal shows its default logo (no custom logo uploaded).
        var usesDefaultLogo: Bool
    }

    static func fieldName(_ colour: Branding.Colour) -> String { SaveBrandingColours.fieldName(colour) }

    func show(request: Request) async throws -> Response {
        let branding = try await SettingsStore(database: request.database).load().branding
        let notice = request.notice([.saved, .logoSaved, .logoRemoved], prefix: "branding_notice_")
        return try await render(request, form: BrandingForm(branding), errors: [:], notice: notice, previewing: false)
    }

    /// "Preview" shows the typed colours without saving; "save" saves them.
    func submit(request: Request) async throws -> Response {
        let form = try request.form(BrandingForm.self)
        if form.action == "preview" {
            var errors: [String: String] = [:]
            if case .problems(let problems) = SaveBrandingColours.check(form.input) { errors = request.texts(problems, name: \.name) }
            return try await render(request, form: form, errors: errors, notice: nil,
                                    previewing: errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity)
        }
        switch try await SaveBrandingColours.run(form.input, by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.branding, notice: .saved)
        case .problems(let problems):
            return try await render(request, form: form, errors: request.texts(problems, name: \.name), notice: nil, previewing: false,
                                    status: .unprocessableEntity)
        }
    }

    func render(_ request: Request, form: BrandingForm, errors: [String: String], notice: String?, previewing: Bool,
                logoError: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        // The sample uses the typed colours that are valid, the defaults for the rest.
        let previewLink = StaffRoute.brandingPreview.path([], query: Branding.Colour.allCases.compactMap { colour in
            Branding.normalisedColour(form[colour]).map { (colour.rawValue, $0) }
        })
        let branding = try await SettingsStore(database: request.database).load().branding
        let shown = Dictionary(uniqueKeysWithValues: Branding.Colour.allCases.map { colour in
            (colour, Branding.normalisedColour(form[colour]) ?? colour.standard)
        })
        var warnings: [Branding.Colour: String] = [:]
        for pair in Branding.readPairs {
            let background = pair.background.map { shown[$0]! } ?? "#ffffff"
            let ratio = Branding.contrast(shown[pair.text]!, background)
            if ratio < 4.5 {
                warnings[pair.text] = request.t("branding_warning_contrast")
                    .replacingOccurrences(of: "{ratio}", with: String(format: "%.1f", ratio).replacingOccurrences(of: ".", with: request.language == .en ? "." : ","))
            }
        }
        let page = Page(
            layout: Layout(request, title: request.t("branding_title"), area: "staff"),
            tabs: SettingsTab.all(request), notice: notice, hasErrors: !errors.isEmpty || logoError != nil,
            colours: Branding.Colour.allCases.map { colour in
                let name = Self.fieldName(colour)
                return ColourField(name: name, label: request.t("branding_\(name)"), value: form[colour],
                                   standard: colour.standard, pickerValue: shown[colour]!, error: errors[name],
                                   warning: warnings[colour])
            },
            previewStylesheet: previewLink, previewing: previewing, logoError: logoError,
            usesDefaultLogo: branding.logoKey == nil)
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
        /// "Use the company's default logo" (the seed's checkbox): with no file chosen, clears the custom logo.
        var use_default: String?
    }

    /// The logo form: a chosen file is uploaded; with no file, "use the company's default logo" ticked
    /// clears the custom logo.
    func uploadLogo(request: Request) async throws -> Response {
        let upload = try? request.content.decode(LogoUpload.self)
        let file = upload?.logo.flatMap { $0.data.readableBytes > 0 ? $0 : nil }
        if file == nil, upload?.use_default != nil {
            return try await removeLogo(request: request)
        }
        let input = UploadLogo.Input(bytes: file.map { Array($0.data.readableBytesView) })
        switch try await UploadLogo.run(input, by: try request.staffMember(), in: request.operations, storage: request.caseport.storage) {
        case .done:
            return request.redirect(to: StaffRoute.branding, notice: .logoSaved)
        case .problems(let problems):
            let branding = try await SettingsStore(database: request.database).load().branding
            return try await render(request, form: BrandingForm(branding), errors: [:], notice: nil, previewing: false,
                                    logoError: problems[.logo].map { request.t($0) }, status: .unprocessableEntity)
        }
    }

    func removeLogo(request: Request) async throws -> Response {
        if case .done(true) = try await RemoveLogo.run(by: try request.staffMember(), in: request.operations,
                                                       storage: request.caseport.storage) {
            return request.redirect(to: StaffRoute.branding, notice: .logoRemoved)
        }
        return request.redirect(to: StaffRoute.branding)
    }
}

/// The branding colours form (C8), as posted and as shown again: one `colour_<name>` field per colour.
struct BrandingForm: PostedForm {
    static var longestValue: Int { 100 }
    var colours: [Branding.Colour: String] = [:]
    /// "preview" or "save" (the button pressed).
    var action = ""

    init() {}

    init(_ branding: Branding) {
        for colour in Branding.Colour.allCases { colours[colour] = branding.colour(colour) }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        action = try container.decode(String.self, forKey: Key(stringValue: "action"))
        for colour in Branding.Colour.allCases {
            // A colour missing from the post (a page from before the colour existed) is empty: the default.
            colours[colour] = try container.decodeIfPresent(String.self, forKey: Key(stringValue: SaveBrandingColours.fieldName(colour))) ?? ""
        }
    }

    subscript(colour: Branding.Colour) -> String { colours[colour] ?? "" }

    var input: SaveBrandingColours.Input { SaveBrandingColours.Input(typed: colours) }
}
