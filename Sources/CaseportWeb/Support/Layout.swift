import CaseportCore
import LeafKit
import Vapor

/// What every page's frame needs: strings in the page's language, the CSRF token for its forms,
/// the language switch and who is signed in.
struct Layout: Encodable, LeafDataRepresentable {
    struct LanguageChoice: Encodable {
        var code: String
        var name: String
        var flag: String
        var selected: Bool
    }

    var title: String
    var lang: String
    var t: PageStrings
    var csrf: String
    var languages: [LanguageChoice]
    /// Where the language switch returns to: this page with its search and page (A3; checked again by
    /// `LanguageController.safeReturnPath` when it comes back).
    var path: String
    var userName: String?
    /// "portal" or "staff": decides the navigation and the logout form's target.
    var area: String
    /// Which menu entry is the current page: "cases", "new", "files" or "users"; in the back office
    /// "staff-cases", "master", "staff-users" or "audit".
    var section: String
    var showUsers: Bool
    /// C8: the deployment's colours (a cacheable stylesheet whose URL changes with every save) and logo.
    var brandingStylesheet: String?
    var logoURL: String?
    /// D2: the staff header's badge (unprocessed inquiries); the portal's "my inquiries" link.
    var inboxCount: Int
    /// Issue 12: cases waiting for the signed-in customer (their answer or approval); 0 hides the link.
    var needsActionCount: Int
    /// Issue 17: "open", "closed" or "" (not known: the chat script asks the server), for the chat button.
    var chatState = ""
    var showInquiries: Bool
    /// The back-office menu shows staff accounts and the audit log to administrators only (D1).
    var staffAdmin: Bool
    /// The signed-in portal user's own page (their login details and e-mail choice), linked from their name.
    var accountPath: String?
    /// B11: contact users with a contact get the dashboards; B12: who may read a customer's monthly reports.
    var showDashboards = false
    var showReports = false
    /// B10: invoice specifications, for users whose contact is linked to customers (`SpecificationAccess`).
    var showSpecifications = false
    /// The page may use a 1440 px screen's width (the case lists, issue 12 point 4).
    var wide = false
    /// Issue 12: whom to contact (settings: the company's phone and e-mail), for the login, lockout and
    /// error pages. nil: not set.
    var contactPhone: String?
    var contactPhoneLink: String?
    var contactEmail: String?
    var hasContact = false
    var hasBothContacts = false

    /// Handed to Leaf as it is (issue 17): every page's frame went through Leaf's `Encoder` field by
    /// field, twice on a list page. The same dictionary the encoder made: an optional that is nil is
    /// left out, as `encodeIfPresent` leaves it out. `LayoutTests` compares the two.
    var leafData: LeafData {
        var fields: [String: LeafData] = [
            "title": .string(title), "lang": .string(lang), "t": t.leafData, "csrf": .string(csrf),
            "languages": .array(languages.map {
                .dictionary(["code": .string($0.code), "name": .string($0.name), "flag": .string($0.flag), "selected": .bool($0.selected)])
            }),
            "path": .string(path), "area": .string(area), "section": .string(section), "showUsers": .bool(showUsers),
            "inboxCount": .int(inboxCount), "needsActionCount": .int(needsActionCount), "chatState": .string(chatState),
            "showInquiries": .bool(showInquiries), "staffAdmin": .bool(staffAdmin), "showDashboards": .bool(showDashboards),
            "showReports": .bool(showReports), "showSpecifications": .bool(showSpecifications), "wide": .bool(wide),
            "hasContact": .bool(hasContact), "hasBothContacts": .bool(hasBothContacts),
            // Session 12: the frame's top, written in Swift (`LayoutHeader.swift`); only here, not in the
            // `Encodable` form (Leaf's encoder always takes this `leafData`, for a nested value too).
            "headerHTML": .string(headerHTML),
        ]
        let optionals: [(String, String?)] = [
            ("userName", userName), ("brandingStylesheet", brandingStylesheet), ("logoURL", logoURL), ("accountPath", accountPath),
            ("contactPhone", contactPhone), ("contactPhoneLink", contactPhoneLink), ("contactEmail", contactEmail),
        ]
        for (key, value) in optionals { if let value { fields[key] = .string(value) } }
        return .dictionary(fields)
    }

    init(_ request: Request, title: String, area: String = "portal", wide: Bool = false) {
        self.title = title
        self.wide = wide
        self.lang = request.language.rawValue
        self.t = request.caseport.pageStrings[request.language] ?? PageStrings([:])
        self.csrf = request.csrfToken
        self.languages = Language.allCases.map {
            LanguageChoice(code: $0.rawValue, name: $0.nativeName, flag: $0.flag, selected: $0 == request.language)
        }
        self.path = request.url.query.map { request.url.path + "?" + $0 } ?? request.url.path
        self.area = area
        section = AppRoutes.section(ofPath: request.url.path)
        staffAdmin = area == "staff" && request.staffPrincipal?.user.role == .admin
        showUsers = request.portalPrincipal.map { $0.user.isAdmin || $0.organisation.singleUser } ?? false
        let frame = request.pageFrame
        let branding = frame.branding
        brandingStylesheet = branding.revision > 0 ? PublicRoute.brandingStylesheet.path(query: ["v": String(branding.revision)]) : nil
        logoURL = branding.logoKey != nil ? PublicRoute.brandingLogo.path(query: ["v": String(branding.revision)]) : nil
        contactPhone = frame.contactPhone.flatMap { $0.isEmpty ? nil : $0 }
        contactPhoneLink = contactPhone.map { "tel:" + $0.filter { $0.isNumber || $0 == "+" } }
        contactEmail = frame.contactEmail.flatMap { $0.isEmpty ? nil : $0 }
        hasContact = contactPhone != nil || contactEmail != nil
        hasBothContacts = contactPhone != nil && contactEmail != nil
        inboxCount = frame.inboxCount ?? 0
        needsActionCount = area == "portal" ? frame.needsActionCount ?? 0 : 0
        chatState = frame.chatOpen.map { $0 ? "open" : "closed" } ?? ""
        showInquiries = area == "portal" && frame.inquiriesFirst && request.portalPrincipal != nil
        if area == "staff" {
            self.userName = request.staffPrincipal?.user.name
        } else {
            self.userName = request.portalPrincipal?.user.displayName
            accountPath = request.portalPrincipal?.user.id.map { PortalRoute.user.path($0) }
            if let viewer = request.portalPrincipal?.viewer {
                if case .contactUser(contact: .some) = viewer { showDashboards = true }
                showReports = !MonthlyReportAccess.customerIds(for: viewer).isEmpty
            }
            showSpecifications = request.portalPrincipal.map { !SpecificationAccess.customerIds(for: $0.viewer).isEmpty } ?? false
        }
    }
}
