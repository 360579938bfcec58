/// The host's own version, reported to plugins (`host_version`) and in User-Agent headers.
public enum HostVersion {
    public static let current = "0.1.0"
}
