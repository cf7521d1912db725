/// A choice from a select as a form sent it: nothing chosen, an id, or something that is not an id
/// (a tampered form). Operations check an id against what may be chosen.
public enum ChosenId: Sendable, Equatable {
    case none
    case id(Int)
    case invalid

    /// "" or absent is no choice; anything else must be a whole number.
    public init(form raw: String?) {
        guard let raw, !raw.isEmpty else { self = .none; return }
        self = Int(raw).map(ChosenId.id) ?? .invalid
    }

    public init(_ id: Int?) { self = id.map(ChosenId.id) ?? .none }

    /// The id, when one was chosen and it is among `allowed`; `.invalid` otherwise.
    func checked(against allowed: Set<Int>) -> ChosenId {
        switch self {
        case .none: return .none
        case .id(let id): return allowed.contains(id) ? .id(id) : .invalid
        case .invalid: return .invalid
        }
    }

    var value: Int? {
        if case .id(let id) = self { return id }
        return nil
    }
}
