import BotHostCore
import CSodium

/// libsodium must be initialised once per process before use; `sodium_init` is idempotent but
/// not free, so the result is kept in a lazily initialised (and therefore once-only) constant.
package enum SodiumLibrary {
    package static let isReady: Bool = sodium_init() >= 0

    /// Whether this CPU can run libsodium's AES-256-GCM (it needs AES-NI and PCLMUL).
    package static let hasAES256GCM: Bool = isReady && crypto_aead_aes256gcm_is_available() == 1
}
