// libsodium (Debian: libsodium-dev), used to verify Ed25519 signatures: about 1.5x the
// rate of swift-crypto's verifier on the build machines (Docs/architecture.md).
#include <sodium.h>
