import CaseportCore
import CaseportStore
import Vapor

extension Request {
    private struct CatalogueNamesKey: StorageKey { typealias Value = CatalogueNameMap }

    /// Issue 12: the catalogue's per-language names (M030), read once per request.
    func catalogueNames() async throws -> CatalogueNameMap {
        if let kept = storage[CatalogueNamesKey.self] { return kept }
        let names = try await CatalogueNames(database: db).load()
        storage[CatalogueNamesKey.self] = names
        return names
    }

    /// A catalogue item's name in the reader's language, else its default name.
    func catalogueName(_ kind: CatalogueNameKind, _ id: Int?, _ fallback: String?) async throws -> String? {
        try await catalogueNames().name(kind, id, fallback, in: language)
    }
}
