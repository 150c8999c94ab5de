//! Access tokens: HS256 JWTs with the algorithm pinned and `exp`, `nbf`, `iat`, `iss`, `aud`,
//! `sub` and `role` required; a token issued in the future (beyond [`IAT_LEEWAY_S`]) is refused
//! (RFC 8725, 3.10: a clock that ran ahead, or a token minted to outlive its lifetime). Tests mint tokens here too, so they exercise the real validation.

use std::collections::HashSet;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use birlik_entity::enums::Role;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Who issues the tokens.
pub const ISSUER: &str = "birlik";
/// Who the tokens are for.
pub const AUDIENCE: &str = "birlik-api";
/// How long an access token lives.
pub const ACCESS_TTL: Duration = Duration::minutes(15);
/// Seconds an `iat` may lie ahead of this server's clock (clocks of instances drift a little).
pub const IAT_LEEWAY_S: i64 = 60;
/// Shortest HMAC key accepted.
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The user account's id.
    pub sub: String,
    pub role: Role,
    /// The organization of an NGO account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<i32>,
    /// The volunteer record of a volunteer account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vol: Option<i32>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// The signing and verifying keys, built once at start.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(HS256, ..)")
    }
}

impl Keys {
    /// Keys from an HMAC secret of at least 32 bytes.
    pub fn from_secret(secret: &SecretString) -> anyhow::Result<Self> {
        let bytes = secret.expose_secret().as_bytes();
        anyhow::ensure!(
            bytes.len() >= MIN_SECRET_BYTES,
            "BIRLIK_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
        );
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        validation.required_spec_claims = ["exp", "nbf", "iat", "iss", "aud", "sub"]
            .into_iter()
            .map(String::from)
            .collect::<HashSet<_>>();
        Ok(Keys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
        })
    }

    /// The key kept beside an embedded database, generated on first use (mode 0600).
    pub fn embedded(db_file: &Path) -> anyhow::Result<Self> {
        let path = secret_path(db_file);
        let secret = match std::fs::read_to_string(&path) {
            Ok(text) => text.trim().to_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 48];
                getrandom::fill(&mut bytes)
                    .map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
                let text = URL_SAFE_NO_PAD.encode(bytes);
                write_private(&path, &text)?;
                tracing::info!(path = %path.display(), "generated a signing key for the embedded database");
                text
            }
            Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", path.display())),
        };
        Self::from_secret(&SecretString::from(secret))
    }

    /// Signs a token for a user, valid from now for [`ACCESS_TTL`].
    pub fn issue(
        &self,
        user_id: i32,
        role: Role,
        org: Option<i32>,
        vol: Option<i32>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        let now = Utc::now();
        let expires = now + ACCESS_TTL;
        let claims = Claims {
            sub: user_id.to_string(),
            role,
            org,
            vol,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: expires.timestamp(),
        };
        Ok((self.sign(&claims)?, expires))
    }

    /// Signs arbitrary claims (tests use it to build expired or foreign tokens).
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(encode(
            &Header::new(Algorithm::HS256),
            claims,
            &self.encoding,
        )?)
    }

    /// Verifies a token's signature, algorithm and claims.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        let claims =
            decode::<Claims>(token, &self.decoding, &self.validation).map(|data| data.claims)?;
        if claims.iat > Utc::now().timestamp() + IAT_LEEWAY_S {
            return Err(jsonwebtoken::errors::ErrorKind::ImmatureSignature.into());
        }
        Ok(claims)
    }

    /// Whether a token is genuine and well-formed but past its `exp` (as opposed to forged,
    /// malformed or otherwise invalid).
    pub fn expired(&self, token: &str) -> bool {
        matches!(
            decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| e.into_kind()),
            Err(jsonwebtoken::errors::ErrorKind::ExpiredSignature)
        )
    }
}

/// `birlik.db` → `birlik.db.jwt-secret`.
fn secret_path(db_file: &Path) -> std::path::PathBuf {
    let mut name = db_file.as_os_str().to_owned();
    name.push(".jwt-secret");
    name.into()
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    Ok(std::fs::write(path, text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> Keys {
        Keys::from_secret(&SecretString::from(secret.to_owned())).unwrap()
    }

    #[test]
    fn a_token_round_trips_and_other_keys_refuse_it() {
        let k = keys(&"a".repeat(32));
        let (token, _) = k.issue(7, Role::Ministry, None, None).unwrap();
        assert_eq!(k.verify(&token).unwrap().sub, "7");
        assert!(keys(&"b".repeat(32)).verify(&token).is_err());
    }

    #[test]
    fn a_token_issued_in_the_future_is_refused_beyond_the_leeway() {
        let k = keys(&"a".repeat(32));
        let (token, _) = k.issue(7, Role::Ministry, None, None).unwrap();
        let mut claims = k.verify(&token).unwrap();
        claims.iat += IAT_LEEWAY_S - 5;
        assert!(
            k.verify(&k.sign(&claims).unwrap()).is_ok(),
            "within the leeway"
        );
        claims.iat += 3600;
        assert!(
            k.verify(&k.sign(&claims).unwrap()).is_err(),
            "an hour ahead"
        );
    }

    #[test]
    fn an_expired_token_is_told_from_a_forged_one() {
        let k = keys(&"a".repeat(32));
        let (token, _) = k.issue(7, Role::Ministry, None, None).unwrap();
        let mut claims = k.verify(&token).unwrap();
        claims.exp = Utc::now().timestamp() - 3600;
        let expired = k.sign(&claims).unwrap();
        assert!(k.expired(&expired));
        assert!(!k.expired(&token));
        assert!(!keys(&"b".repeat(32)).expired(&expired), "another key's");
        assert!(!k.expired("not-a-token"));
    }

    #[test]
    fn the_embedded_key_is_generated_once_and_kept() {
        let dir =
            std::env::temp_dir().join(format!("birlik-jwt-{}-{}", std::process::id(), line!()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("birlik.db");
        let first = Keys::embedded(&db).unwrap();
        let (token, _) = first.issue(1, Role::Ministry, None, None).unwrap();
        assert!(Keys::embedded(&db).unwrap().verify(&token).is_ok());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
