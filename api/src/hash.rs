//! SHA-256 as lowercase hex: persisted-query hashes, idempotency fingerprints, stored refresh
//! tokens.

use sha2::{Digest, Sha256};

/// The lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    Sha256::digest(data.as_ref())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
