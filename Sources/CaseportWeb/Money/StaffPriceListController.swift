import CaseportCore
import CaseportOperations
import CaseportStore
import Fluent
import Vapor

/// B8: the price list (articles, action codes) and the columns the portal's "Actions" table shows.
/// Administrators only (registered behind `StaffAdminGuard`; the operations refuse others too).
struct StaffPriceListController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(StaffRoute.priceList, use: show)
        routes.on(StaffRoute.articleAdd, use: addArticle)
        routes.on(StaffRoute.article, use: showArticle)
        routes.on(StaffRoute.articleUpdate, use: updateArticle)
        routes.on(StaffRoute.actionCodeAdd, use: addActionCode)
        routes.on(StaffRoute.actionCodeUpdate, use: updateActionCode)
        routes.on(StaffRoute.actionColumns, use: saveColumns)
    }

    struct ArticleRow: Encodable {
        var id: Int
        var code: String
        var name: String
        var unit: String
        var type: String
        var price: String
        var vat: String
        var active: Bool
    }

    struct ActionCodeRow: Encodable {
        var id: Int
        var code: String
        var name: String
        var active: Bool
        var error: String?
    }

    struct ColumnChoice: Encodable {
        var value: String
        var label: String
        var checked: Bool
    }

    struct Page: Encodable {
        var layout: Layout
        var notice: String?
        var hasErrors: Bool
        var articles: [ArticleRow]
        var actionCodes: [ActionCodeRow]
        var columns: [ColumnChoice]
        var types: [SelectOption]
        var newArticle: ArticleForm
        var articleErrors: [String: String]
        var newCode: ActionCodeForm
        var codeErrors: [String: String]
        var columnError: String?
    }

    struct PageState {
        var newArticle = ArticleForm()
        var articleErrors: [String: String] = [:]
        var newCode = ActionCodeForm()
        var codeErrors: [String: String] = [:]
        var rowErrors: [Int: String] = [:]
        var columnError: String?
        var hasErrors: Bool { !articleErrors.isEmpty || !codeErrors.isEmpty || !rowErrors.isEmpty || columnError != nil }
    }

    func show(request: Request) async throws -> View {
        try await render(request, state: PageState())
    }

    func render(_ request: Request, state: PageState) async throws -> View {
        let language = request.language
        let articles = try await ArticleRecord.query(on: request.database).sort(\.$code).all()
        let codes = try await ActionCodeRecord.query(on: request.database).sort(\.$code).all()
        let settings = try await SettingsStore(database: request.database).load()
        let page = Page(
            layout: Layout(request, title: request.t("price_list_title"), area: "staff"),
            notice: request.notice([.saved, .added], prefix: "price_list_notice_"),
            hasErrors: state.hasErrors,
            articles: articles.map {
                ArticleRow(id: $0.id!, code: $0.code, name: $0.name, unit: $0.unit, type: request.t($0.type.labelKey),
                           price: $0.unitPrice.formatted(language), vat: $0.vatRate.formatted(language), active: $0.isActive)
            },
            actionCodes: codes.map {
                ActionCodeRow(id: $0.id!, code: $0.code, name: $0.name, active: $0.isActive, error: state.rowErrors[$0.id!])
            },
            columns: ActionColumn.allCases.map {
                ColumnChoice(value: $0.rawValue, label: request.t($0.labelKey), checked: settings.actionColumns.contains($0))
            },
            types: Self.typeOptions(request, chosen: state.newArticle.article_type),
            newArticle: state.newArticle, articleErrors: state.articleErrors,
            newCode: state.newCode, codeErrors: state.codeErrors, columnError: state.columnError)
        return try await request.view.render("staff/price-list", page)
    }

    static func typeOptions(_ request: Request, chosen: String) -> [SelectOption] {
        ArticleType.allCases.map { SelectOption(value: $0.rawValue, name: request.t($0.labelKey), selected: $0.rawValue == chosen) }
    }

    static func unprocessable(_ view: View, _ request: Request) async throws -> Response {
        let response = try await view.encodeResponse(for: request).get()
        response.status = .unprocessableEntity
        return response
    }

    func addArticle(request: Request) async throws -> Response {
        let form = try request.form(ArticleForm.self)
        switch try await SaveArticle.run(form.input(articleId: nil), by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.priceList, notice: .added, fragment: "articles")
        case .problems(let problems):
            var state = PageState()
            state.newArticle = form
            state.articleErrors = request.texts(problems)
            return try await Self.unprocessable(try await render(request, state: state), request)
        }
    }

    struct ArticlePage: Encodable {
        var layout: Layout
        var id: Int
        var hasErrors: Bool
        var notice: String?
        var values: ArticleForm
        var errors: [String: String]
        var types: [SelectOption]
    }

    func findArticle(_ request: Request) async throws -> ArticleRecord {
        guard let raw = request.parameters.get("id"), raw.count <= 12, let id = Int(raw),
              let article = try await ArticleRecord.find(id, on: request.database) else { throw Abort(.notFound) }
        return article
    }

    func renderArticle(_ request: Request, id: Int, values: ArticleForm, errors: [String: String]) async throws -> View {
        let page = ArticlePage(layout: Layout(request, title: "\(request.t("price_list_article")) \(values.code)", area: "staff"),
                               id: id, hasErrors: !errors.isEmpty, notice: nil, values: values, errors: errors,
                               types: Self.typeOptions(request, chosen: values.article_type))
        return try await request.view.render("staff/article", page)
    }

    func showArticle(request: Request) async throws -> View {
        let article = try await findArticle(request)
        return try await renderArticle(request, id: article.id!, values: ArticleForm(article), errors: [:])
    }

    func updateArticle(request: Request) async throws -> Response {
        let article = try await findArticle(request)
        let form = try request.form(ArticleForm.self)
        switch try await SaveArticle.run(form.input(articleId: article.id), by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.priceList, notice: .saved, fragment: "articles")
        case .problems(let problems):
            return try await Self.unprocessable(try await renderArticle(request, id: article.id!, values: form,
                                                                        errors: request.texts(problems)), request)
        }
    }

    func addActionCode(request: Request) async throws -> Response {
        let form = try request.form(ActionCodeForm.self)
        switch try await SaveActionCode.run(.init(actionCodeId: nil, code: form.action_code, name: form.action_name),
                                            by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.priceList, notice: .added, fragment: "action-codes")
        case .problems(let problems):
            var state = PageState()
            state.newCode = form
            state.codeErrors = request.texts(problems)
            return try await Self.unprocessable(try await render(request, state: state), request)
        }
    }

    func updateActionCode(request: Request) async throws -> Response {
        guard let raw = request.parameters.get("id"), raw.count <= 12, let id = Int(raw) else { throw Abort(.notFound) }
        let form = try request.form(ActionCodeForm.self)
        switch try await SaveActionCode.run(.init(actionCodeId: id, code: form.action_code, name: form.action_name, isActive: form.active),
                                            by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.priceList, notice: .saved, fragment: "action-codes")
        case .problems(let problems):
            var state = PageState()
            state.rowErrors[id] = request.texts(problems).values.sorted().joined(separator: " ")
            return try await Self.unprocessable(try await render(request, state: state), request)
        }
    }

    func saveColumns(request: Request) async throws -> Response {
        let form = try request.form(ActionColumnsForm.self)
        switch try await SaveActionColumns.run(form.columns, by: try request.staffMember(), in: request.operations) {
        case .done:
            return request.redirect(to: StaffRoute.priceList, notice: .saved, fragment: "columns")
        case .problems(let problems):
            var state = PageState()
            state.columnError = request.texts(problems)[SaveActionColumns.Field.columns.rawValue]
            return try await Self.unprocessable(try await render(request, state: state), request)
        }
    }
}

/// The article form (add and edit); encodes back under its field names for the page.
struct ArticleForm: PostedForm, Encodable {
    static var longestValue: Int { InputLimits.name + 1 }
    var code = "", name = "", unit = "", article_type = "", price = "", vat_rate = "", active = false

    init() {}

    init(_ article: ArticleRecord) {
        code = article.code
        name = article.name
        unit = article.unit
        article_type = article.articleType
        price = article.unitPrice.plain
        vat_rate = article.vatRate.plain
        active = article.isActive
    }

    func input(articleId: Int?) -> SaveArticle.Input {
        SaveArticle.Input(articleId: articleId, code: code, name: name, unit: unit, type: article_type, price: price,
                          vatRate: vat_rate, isActive: articleId == nil ? true : active)
    }
}

struct ActionCodeForm: PostedForm, Encodable {
    static var longestValue: Int { InputLimits.name + 1 }
    var action_code = "", action_name = "", active = false
}

/// The "Actions" columns: one checkbox per `ActionColumn`, named `column_<raw value>`.
struct ActionColumnsForm: PostedForm {
    var columns: Set<ActionColumn> = []

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: PostedName.self)
        for key in container.allKeys where key.stringValue.hasPrefix("column_") {
            if let column = ActionColumn(rawValue: String(key.stringValue.dropFirst("column_".count))),
               try container.decode(Bool.self, forKey: key) {
                columns.insert(column)
            }
        }
    }
}
