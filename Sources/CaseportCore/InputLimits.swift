/// Longest values accepted from forms. Anything longer is refused with a message, never truncated silently.
public enum InputLimits {
    public static let organisation = 200
    public static let username = 200
    public static let password = 200
    public static let email = 254
    public static let name = 200
    public static let subject = 200
    public static let description = 20_000
    public static let message = 10_000
    public static let phone = 40
    public static let fieldValue = 1_000
}
