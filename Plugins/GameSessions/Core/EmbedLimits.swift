/// Discord's embed limits, in code points.
public enum EmbedLimits {
    public static let title = 256
    public static let description = 4096
    public static let fieldName = 256
    public static let fieldValue = 1024
    public static let fields = 25
    public static let footer = 2048
    public static let author = 256
    /// Title, description, field names and values, footer text and author name together.
    public static let total = 6000
}
