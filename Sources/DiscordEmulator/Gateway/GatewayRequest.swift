/// The query of a gateway connection: `/gateway?v=10&encoding=json[&compress=zlib-stream]`, also
/// under `/gateway/resume` (the resume_gateway_url) and with a trailing slash.
struct GatewayRequest: Sendable {
    enum Verdict: Sendable, Equatable {
        case accept
        /// Upgrade, then close 4012 as Discord does for versions it no longer serves.
        case acceptThenCloseInvalidVersion
        /// Not something this gateway can speak (ETF, zstd); refuse the upgrade.
        case refuse(String)
    }

    var compress: Bool
    var viaResumeURL: Bool
    var verdict: Verdict

    /// nil when the path is not the gateway at all.
    init?(uri: String) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var path = String(parts.first ?? "")
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        switch path {
        case "/gateway": viaResumeURL = false
        case "/gateway/resume": viaResumeURL = true
        default: return nil
        }
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query[PercentDecoding.decode(String(kv[0]))] = kv.count > 1 ? PercentDecoding.decode(String(kv[1])) : ""
            }
        }
        compress = query["compress"] == "zlib-stream"
        if let compress = query["compress"], compress != "zlib-stream" {
            verdict = .refuse("compress=\(compress) is not supported here; use zlib-stream or none")
        } else if let encoding = query["encoding"], encoding != "json" {
            verdict = .refuse("encoding=\(encoding) is not supported here; use json")
        } else if let version = query["v"], version != "10" && version != "9" {
            verdict = .acceptThenCloseInvalidVersion
        } else {
            verdict = .accept
        }
    }
}
