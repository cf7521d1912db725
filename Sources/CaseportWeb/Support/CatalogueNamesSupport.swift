import CaseportCore
import CaseportStore
import Vapor

extension Request {
    private struct CatalogueNamesKey: StorageKey { typealias Value = CatalogueNameMap }

    /// Issue 12: the catalogue's per-language names (M030), read once per request — and, for a
    /// signed-in portal user, kept between requests at the change stamp (issue 17; M030 watches
    /// `catalogue_names`).
    func catalogueNames() async throws -> CatalogueNameMap {
        if let kept = storage[CatalogueNamesKey.self] { return kept }
        let names: CatalogueNameMap
        if let stamp = changeStamp, let kept = caseport.catalogueNames.value(for: "", at: stamp) {
            names = kept
        } else {
            names = try await CatalogueNames(database: database).load()
            if let stamp = changeStamp { caseport.catalogueNames.store(names, for: "", at: stamp) }
        }
        storage[CatalogueNamesKey.self] = names
        return names
    }

    /// A catalogue item's name in the reader's language, else its default name.
    func catalogueName(_ kind: CatalogueNameKind, _ id: Int?, _ fallback: String?) async throws -> String? {
        try await catalogueNames().name(kind, id, fallback, in: language)
    }
}
