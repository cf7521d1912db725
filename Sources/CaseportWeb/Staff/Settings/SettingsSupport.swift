import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// The settings pages' sub-navigation.
struct SettingsTab: Encodable {
    var href: String
    var name: String
    var current: Bool

    static func all(_ request: Request) -> [SettingsTab] {
        let path = request.url.path
        return [(StaffRoute.settings, "settings_general_title"), (.caseTypes, "settings_types_title"),
                (.catalogue, "settings_catalogue_title"), (.branding, "branding_title"),
                (.privacy, "privacy_title"),
                (.webhooks, "webhooks_title")]
            .map { route, key in
                let href = route.path()
                let current = route == .settings ? path == href : path.hasPrefix(href)
                return SettingsTab(href: href, name: request.t(key), current: current)
            } + [ClaimAccessRoute.settings.path()].map {
                // Issue 13: the claims' customer page (Claims/ClaimAccessRoute).
                SettingsTab(href: $0, name: request.t("claimaccess_settings_tab"), current: path.hasPrefix($0))
            }
    }
}
