/// The order of a case list (issue 12 point 4): a column and a direction, read from the URL's `sort`
/// and `dir`. Only orders an index serves exist here (M032); anything else in the URL is the default,
/// "last activity, newest first", so a case with a new reply or a status change rises to the top.
public struct CaseSort: Sendable, Equatable {
    public enum Key: String, Sendable, CaseIterable {
        /// `cases.last_activity_at`: raised by every public message (customer or staff) and status change.
        case activity
        case created
        case number
        case subject

        /// The direction a first click on the column asks for: dates and numbers newest first, text A–Z.
        public var firstDirection: Direction { self == .subject ? .ascending : .descending }
    }

    public enum Direction: String, Sendable, CaseIterable {
        case ascending = "asc"
        case descending = "desc"

        public var reversed: Direction { self == .ascending ? .descending : .ascending }
    }

    public var key: Key
    public var direction: Direction

    public init(key: Key = .activity, direction: Direction = .descending) {
        self.key = key
        self.direction = direction
    }

    /// The sort the URL asks for. An unknown key is the default order; a known key with an unknown or
    /// missing direction takes the key's first direction. Never fails.
    public init(key rawKey: String?, direction rawDirection: String?) {
        guard let key = rawKey.flatMap(Key.init(rawValue:)) else {
            self.init()
            return
        }
        self.init(key: key, direction: rawDirection.flatMap(Direction.init(rawValue:)) ?? key.firstDirection)
    }

    /// The default: last activity, newest first.
    public static let lastActivity = CaseSort()
    /// Newest created first: the API's cursor order.
    public static let newestFirst = CaseSort(key: .created, direction: .descending)

    public var isDefault: Bool { self == Self.lastActivity }

    /// The sort a column header links to: the other direction when the list is already sorted by that
    /// column, else the column's first direction.
    public func toggled(to key: Key) -> CaseSort {
        key == self.key ? CaseSort(key: key, direction: direction.reversed) : CaseSort(key: key, direction: key.firstDirection)
    }

    /// The URL's `sort` and `dir` values; nil for the default order, so plain list links stay short.
    public var queryItems: [(String, String?)] {
        isDefault ? [("sort", nil), ("dir", nil)] : [("sort", key.rawValue), ("dir", direction.rawValue)]
    }
}
