import CaseportCore
import CaseportOperations
import CaseportStore
import Vapor

/// The customer page's settings as one form (issue 13, C7, C9, seed 002 "Konfiguration" and "Kontakt
/// information"), shown at three levels. Every setting is read and written through its JSON name in
/// `ClaimPageOverrides`, so the form, the stored value and the audit line name it alike. At the
/// deployment every setting has a value; at a customer and a case each one is "as the level above
/// (its value)" or an own value. Each row shows the effective value and where it comes from.
enum ClaimSettingsForm {
    enum Kind: String, Encodable { case select, number, text, set }

    struct Setting {
        var name: String
        var kind: Kind
        /// The choices' raw values (booleans: "true", "false") and their translation keys.
        var choices: [(String, String)] = []
    }

    struct Group {
        var titleKey: String
        var settings: [Setting]
    }

    static func moments(_ values: [ClaimMoment] = ClaimMoment.allCases) -> [(String, String)] {
        values.map { ($0.rawValue, "claimaccess_moment_\($0.rawValue)") }
    }

    static let yesNo = [("true", "claimaccess_yes"), ("false", "claimaccess_no")]

    /// The seed's order: configuration, the overview, the tabs, contact information.
    static let groups: [Group] = [
        Group(titleKey: "claimaccess_group_access", settings: [
            Setting(name: "smsCode", kind: .select, choices: yesNo),
            Setting(name: "recipients", kind: .select,
                    choices: ClaimLinkRecipients.allCases.map { ($0.rawValue, "claimaccess_recipients_\($0.rawValue)") }),
            Setting(name: "customerTypes", kind: .select,
                    choices: ClaimCustomerTypeChoice.allCases.map { ($0.rawValue, "claimaccess_types_\($0.rawValue)") }),
            Setting(name: "linkSent", kind: .select,
                    choices: ClaimLinkTrigger.allCases.map { ($0.rawValue, "claimaccess_trigger_\($0.rawValue)") }),
            Setting(name: "daysAfterClose", kind: .number),
        ]),
        Group(titleKey: "claimaccess_group_overview", settings: [
            Setting(name: "overview", kind: .select, choices: moments()),
            Setting(name: "newsFeed", kind: .select, choices: moments()),
            Setting(name: "feedFilter", kind: .set,
                    choices: ClaimFeedEntry.allCases.map { ($0.rawValue, "claimaccess_feed_\($0.rawValue)") }),
            Setting(name: "showPlan", kind: .select, choices: yesNo),
        ]),
        Group(titleKey: "claimaccess_group_tabs", settings: [
            Setting(name: "projectPlan", kind: .select, choices: moments()),
            Setting(name: "messages", kind: .select, choices: moments()),
            Setting(name: "messageDirection", kind: .select,
                    choices: ClaimMessageDirection.allCases.map { ($0.rawValue, "claimaccess_direction_\($0.rawValue)") }),
            Setting(name: "documents", kind: .select, choices: moments()),
            Setting(name: "shareInspectionReport", kind: .select, choices: moments()),
            Setting(name: "shareSettlementReport", kind: .select, choices: moments()),
            Setting(name: "budget", kind: .select, choices: moments()),
        ]),
        Group(titleKey: "claimaccess_group_contact", settings: [
            Setting(name: "showHandlerName", kind: .select, choices: yesNo),
            Setting(name: "showHandlerMobile", kind: .select, choices: yesNo),
            Setting(name: "showSupplierPhones", kind: .select, choices: yesNo),
            Setting(name: "moreInformation", kind: .text),
        ]),
    ]

    /// The operation's field each setting's problem belongs to.
    static func problemField(_ name: String) -> SaveClaimPageSettings.Field? {
        switch name {
        case "daysAfterClose": .daysAfterClose
        case "showHandlerMobile": .showHandlerMobile
        case "moreInformation": .moreInformation
        default: nil
        }
    }

    // MARK: Values as JSON names

    /// A level's values by JSON name, as form strings (sets: sorted raw values joined by ",").
    static func strings<Value: Encodable>(_ value: Value) -> [String: String] {
        guard let data = try? JSONEncoder().encode(value),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        var out: [String: String] = [:]
        for (key, raw) in object {
            switch raw {
            case let list as [String]: out[key] = list.sorted().joined(separator: ",")
            // The one number is the days after closing; every other number is a yes/no.
            case let number as NSNumber where key == "daysAfterClose": out[key] = String(number.intValue)
            case let number as NSNumber: out[key] = number.boolValue ? "true" : "false"
            case let text as String: out[key] = text
            default: break
            }
        }
        return out
    }

    // MARK: Reading the posted form

    /// The level's choices from a posted form: `inherit` levels read "" as "as above"; the deployment's
    /// form has every value. Unknown values (a forged form) count as "as above" (or the default).
    static func overrides(from values: [String: String], inherit: Bool) -> (ClaimPageOverrides, daysText: String) {
        var object: [String: Any] = [:]
        var daysText = ""
        for group in groups {
            for setting in group.settings {
                let raw = values[setting.name] ?? ""
                switch setting.kind {
                case .select:
                    guard setting.choices.contains(where: { $0.0 == raw }) else { continue }
                    if raw == "true" || raw == "false" { object[setting.name] = raw == "true" } else { object[setting.name] = raw }
                case .number:
                    daysText = raw
                case .text:
                    if !inherit || !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { object[setting.name] = raw }
                case .set:
                    if inherit && values["\(setting.name)_mode"] != "own" { continue }
                    object[setting.name] = setting.choices.map(\.0).filter { values["\(setting.name)_\($0)"] == "1" }
                }
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        let decoded = (try? JSONDecoder().decode(ClaimPageOverrides.self, from: data)) ?? ClaimPageOverrides()
        return (decoded, daysText)
    }

    // MARK: The page's rows

    struct Check: Encodable {
        var name: String
        var label: String
        var checked: Bool
    }

    struct Row: Encodable {
        var name: String
        var label: String
        var hint: String?
        var kind: String
        var options: [SelectOption]
        var value: String
        var checks: [Check]
        /// `set` rows at a lower level: the level has its own choice.
        var ownSet: Bool
        var effective: String
        var source: String
        /// "deployment", "customer" or "case": the source's tag colour.
        var sourceLevel: String
        var error: String?
    }

    struct GroupView: Encodable {
        var title: String
        var rows: [Row]
    }

    /// The rows of one level's form.
    /// - Parameters:
    ///   - own: this level's values by JSON name (the posted ones after a failed save).
    ///   - above: the effective values of the levels above (nil at the deployment).
    ///   - aboveName: the translation key naming the level above ("as the deployment", "as the customer").
    ///   - effective: the effective values with this level applied; `source` where each comes from.
    static func rows(_ request: Request, own: [String: String], above: [String: String]?, aboveName: String?,
                     effective: [String: String], source: (String) -> ClaimPageLevels.Level,
                     errors: [String: String]) -> [GroupView] {
        func shown(_ setting: Setting, _ raw: String?) -> String {
            guard let raw else { return "" }
            switch setting.kind {
            case .select: return setting.choices.first { $0.0 == raw }.map { request.t($0.1) } ?? raw
            case .set:
                let chosen = raw.split(separator: ",").map(String.init)
                let names = setting.choices.filter { chosen.contains($0.0) }.map { request.t($0.1) }
                return names.isEmpty ? request.t("claimaccess_feed_none") : names.joined(separator: ", ")
            case .text: return raw.isEmpty ? request.t("claimaccess_text_empty") : raw
            case .number: return raw
            }
        }
        return groups.map { group in
            GroupView(title: request.t(group.titleKey), rows: group.settings.map { setting in
                let mine = own[setting.name]
                var options: [SelectOption] = []
                if setting.kind == .select {
                    if let above, let aboveName {
                        let inherited = request.t(aboveName).replacingOccurrences(of: "{value}", with: shown(setting, above[setting.name]))
                        options.append(SelectOption(value: "", name: inherited, selected: mine == nil))
                    }
                    options += setting.choices.map { SelectOption(value: $0.0, name: request.t($0.1), selected: mine == $0.0) }
                }
                let chosenSet = Set((mine ?? effective[setting.name] ?? "").split(separator: ",").map(String.init))
                let checks = setting.kind == .set
                    ? setting.choices.map { Check(name: "\(setting.name)_\($0.0)", label: request.t($0.1), checked: chosenSet.contains($0.0)) }
                    : []
                let level = source(setting.name)
                var hint: String?
                if above != nil, setting.kind == .number || setting.kind == .text, let aboveName {
                    hint = request.t("claimaccess_empty_inherits").replacingOccurrences(of: "{above}",
                        with: request.t(aboveName).replacingOccurrences(of: "{value}", with: shown(setting, above?[setting.name])))
                }
                return Row(name: setting.name, label: request.t("claimaccess_setting_\(setting.name)"),
                           hint: hint ?? request.t(optional: "claimaccess_hint_\(setting.name)"),
                           kind: setting.kind.rawValue, options: options, value: mine ?? "", checks: checks,
                           ownSet: mine != nil, effective: shown(setting, effective[setting.name]),
                           source: request.t("claimaccess_source_\(level.rawValue)"), sourceLevel: level.rawValue,
                           error: errors[setting.name])
            })
        }
    }
}

extension Request {
    /// A translation when the key exists, else nil (for optional hints).
    func t(optional key: String) -> String? {
        let text = t(key)
        return text == key ? nil : text
    }
}
