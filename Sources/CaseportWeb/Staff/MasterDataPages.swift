import CaseportCore
import CaseportStore
import Fluent
import Vapor

/// The page shapes shared by the master-data screens (D6): one list template and one form template
/// serve customers, objects, contacts and portal users, so the four look and behave alike.
enum MasterDataPages {
    struct Tab: Encodable {
        var href: String
        var label: String
        var current: Bool
    }

    struct Cell: Encodable {
        /// The column's name, shown above the value when the table becomes cards on a phone.
        var label: String = ""
        var text: String
        var link: String?
        /// Shown as a grey "inactive" status pill.
        var inactive: Bool = false
        var tag: String?
    }

    struct Row: Encodable {
        var id: Int
        var cells: [Cell]
        init(id: Int, headers: [String], cells: [Cell]) {
            self.id = id
            self.cells = zip(headers, cells).map { header, cell in
                var cell = cell
                cell.label = header
                return cell
            }
        }
    }

    struct ListPage: Encodable {
        var layout: Layout
        var tabs: [Tab]
        var path: String
        var addLink: String
        var addLabel: String
        var q: String
        var searchLabel: String
        var hidden: [SelectOption]
        var filterNote: String?
        var headers: [String]
        var rows: [Row]
        var paging: Paging
        var notice: String?
    }

    struct Field: Encodable {
        var name: String
        var label: String
        /// text, email, tel, number, password, checkbox or select.
        var kind: String = "text"
        var value: String = ""
        var checked: Bool = false
        var error: String?
        var required: Bool = false
        var options: [SelectOption] = []
        var hint: String?
        var maxLength: Int = 200
    }

    struct Related: Encodable {
        var href: String
        var label: String
    }

    /// A linked record on the contact page, with a form that removes the link.
    struct Link: Encodable {
        var text: String
        var href: String
        var removeAction: String
    }

    struct FormPage: Encodable {
        var layout: Layout
        var tabs: [Tab]
        var backLink: String
        var backLabel: String
        var action: String
        var fields: [Field]
        var hasErrors: Bool
        var notice: String?
        var related: [Related] = []
        /// Contact pages: the customer and object links.
        var linkSection: LinkSection?
        /// Portal user pages: the A2 lock and its unlock button.
        var lock: LockState?
        /// Customer and object pages: their files (B9), shown in the portal's documents page.
        var files: FileSection?
    }

    struct FileSection: Encodable {
        struct Row: Encodable {
            var name: String
            var href: String
            var isImage: Bool
            var size: String
            var createdAt: String
            var uploader: String
            var removeHref: String
        }
        var uploadAction: String
        var rows: [Row]
        var error: String?
        var maxMegabytes: Int

        static func load(_ request: Request, owner: StaffFiles.Owner, uploadAction: String, error: String?) async throws -> FileSection {
            let language = request.language
            let files = try await StaffFiles(database: request.database).registerFiles(of: owner)
            return FileSection(uploadAction: uploadAction, rows: files.map {
                Row(name: $0.originalName, href: StaffRoute.file.path($0.id!), isImage: ContentSniffing.isImage($0.contentType),
                    size: PortalCaseController.formatSize($0.byteSize, language: language),
                    createdAt: language.formatDateTime($0.createdAt), uploader: $0.uploaderName,
                    removeHref: StaffRoute.fileRemove.path($0.id!))
            }, error: error, maxMegabytes: UploadReceiver.maximumFileBytes / 1_048_576)
        }
    }

    struct LinkSection: Encodable {
        var customers: [Link]
        var objects: [Link]
        var addCustomerAction: String
        var addObjectAction: String
        var customerError: String?
        var objectError: String?
        var customerValue: String
        var objectValue: String
    }

    struct LockState: Encodable {
        var locked: Bool
        var unlockAction: String
    }

    static func tabs(_ request: Request, current: String) -> [Tab] {
        var tabs: [(String, StaffRoute, String)] = [("customers", .customers, "md_customers"), ("objects", .objects, "md_objects"),
                                                    ("contacts", .contacts, "md_contacts"), ("portal-users", .portalUsers, "md_portal_users")]
        if request.staffPrincipal?.user.role == .admin { tabs.append(("import", .importForm, "import_title")) }
        return tabs.map { Tab(href: $0.1.path(), label: request.t($0.2), current: $0.0 == current) }
    }

    static func render(_ request: Request, _ page: FormPage, status: HTTPResponseStatus) async throws -> Response {
        let response = try await request.view.render("staff/md-form", page).encodeResponse(for: request).get()
        response.status = status
        return response
    }

    /// The "handler" select of the customer and object forms (M023): nobody, or an active staff member
    /// (one already assigned stays listed even when deactivated, so saving does not silently drop it).
    static func handlerField(_ request: Request, chosen: String?, error: String?) async throws -> Field {
        let chosenId = chosen.flatMap(Int.init)
        let staff = try await StaffUserRecord.query(on: request.database).group(.or) { group in
            group.filter(\.$isActive == true)
            if let chosenId { group.filter(\.$id == chosenId) }
        }.sort(\.$name).sort(\.$id).all()
        let options = [SelectOption(value: "", name: request.t("md_handler_none"), selected: chosenId == nil)]
            + staff.map { SelectOption(value: String($0.id!), name: $0.name, selected: $0.id == chosenId) }
        return Field(name: "handler", label: request.t("md_handler"), kind: "select", error: error, options: options,
                     hint: request.t("md_handler_hint"))
    }
}
