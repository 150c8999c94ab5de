//! Volunteer sign-up (`registerVolunteer`): their record, their account and a first session in
//! one transaction, replayed rather than refused when a keyed retry finds its own sign-up.

use birlik_entity::enums::{AuditAction, AuditEntity, AuditRole, Role};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::services::credentials::{self, MAX_LOGIN, ensure_length, ensure_new_password};
use crate::services::lockout::ensure_password_budget;
use crate::services::session::{Tokens, issue};
use crate::services::{audit, idempotency, validate};
use crate::store;

/// What `registerVolunteer` asks for.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SignUp {
    pub full_name: String,
    pub phone: String,
    pub email: Option<String>,
    #[serde(skip)]
    pub password: String,
    pub region_code: String,
    pub organization_id: Option<i32>,
    pub skills: Vec<String>,
}

/// Signs a volunteer up: their record, their account, and a first session. An organization named
/// in the sign-up is asked to take them on: they are not its member (and its staff do not see
/// their contacts) until its staff or the ministry approve (`services::membership`).
///
/// With an idempotency key, a retry (same key, same input, same password) replays the sign-up: it
/// opens a new session on the account the first call made, instead of refusing the phone as taken.
/// Concurrent duplicates wait on the phone's unique index and then replay.
pub async fn register(
    rc: &RequestCtx,
    deps: &Deps,
    input: SignUp,
    idempotency_key: Option<&str>,
) -> ApiResult<Tokens> {
    if rc.actor != Actor::Anonymous && !matches!(rc.actor, Actor::Ministry { .. }) {
        return Err(ApiError::Forbidden("you are already signed in".into()));
    }
    ensure_password_budget(deps, rc)?;
    let full_name = validate::text("input.fullName", &input.full_name, 200)?;
    ensure_length("input.phone", &input.phone, 32)?;
    let phone = validate::phone("input.phone", &input.phone)?;
    let email = input
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            ensure_length("input.email", e, MAX_LOGIN)?;
            validate::email("input.email", e)
        })
        .transpose()?;
    ensure_new_password("input.password", &input.password)?;
    ensure_length("input.regionCode", &input.region_code, 16)?;
    let region = crate::services::region::get(deps, &input.region_code)
        .map_err(|_| ApiError::bad_input("input.regionCode", "no region has this code"))?;
    if input.skills.len() > 50 {
        return Err(ApiError::bad_input("input.skills", "at most 50 skills"));
    }
    let skills = input
        .skills
        .iter()
        .map(|s| validate::text("input.skills", s, 100))
        .collect::<ApiResult<Vec<_>>>()?;
    let keyed = idempotency_key
        .map(|key| idempotency::Keyed::new(0, key, "registerVolunteer", &input))
        .transpose()?;
    // A taken phone or email is refused before any hashing; a keyed retry of a sign-up that
    // went through needs no new hash either (it checks its password against the stored one).
    let taken = taken(&deps.db, &phone, email.as_deref()).await?;
    if taken && keyed.is_none() {
        return Err(taken_error());
    }
    let hash = if taken {
        None
    } else {
        Some(credentials::hash(&input.password).await?)
    };
    let sign_up = SignUpChecked {
        rc,
        deps,
        keyed: keyed.as_ref(),
        input: &input,
        full_name: &full_name,
        phone: &phone,
        email: email.as_deref(),
        region_id: region.id,
        skills: &skills,
        hash: hash.as_deref(),
    };
    idempotency::mutate(&deps.db, &sign_up).await
}

/// Whether a volunteer record or an account already has this phone or this email.
async fn taken(db: &DatabaseConnection, phone: &str, email: Option<&str>) -> ApiResult<bool> {
    if store::volunteer::get_by_phone_or_email(db, phone, email)
        .await?
        .is_some()
    {
        return Ok(true);
    }
    Ok(store::user::get_by_phone_or_email(db, phone, email)
        .await?
        .is_some())
}

fn taken_error() -> ApiError {
    ApiError::Conflict {
        message: "an account with this phone or email already exists; log in instead".into(),
        current: None,
    }
}

/// A sign-up whose input has been checked and whose password has been hashed (unless the phone or
/// email was taken: then only a keyed replay can succeed).
struct SignUpChecked<'a> {
    rc: &'a RequestCtx,
    deps: &'a Deps,
    /// The request's key: it belongs to the account the sign-up makes (or made), so the sign-up
    /// replays and records it itself, in [`SignUpChecked::act`].
    keyed: Option<&'a idempotency::Keyed<'a>>,
    input: &'a SignUp,
    full_name: &'a str,
    phone: &'a str,
    email: Option<&'a str>,
    region_id: i32,
    skills: &'a [String],
    hash: Option<&'a str>,
}

impl idempotency::Mutation for SignUpChecked<'_> {
    type Output = Tokens;

    /// None for the skeleton: the key's owner is the account this sign-up makes, unknown before
    /// [`act`](Self::act), which replays and records the key itself.
    fn key(&self) -> Option<ApiResult<idempotency::Keyed<'_>>> {
        None
    }

    async fn replay(&self, _tx: &DatabaseTransaction, _id: i32) -> ApiResult<Tokens> {
        Err(ApiError::Internal(anyhow::anyhow!(
            "a sign-up replays in its act, never through the skeleton"
        )))
    }

    async fn act(&self, tx: &DatabaseTransaction) -> ApiResult<idempotency::Done<'_, Tokens>> {
        let (rc, deps, keyed) = (self.rc, self.deps, self.keyed);
        if let Some(org) = self.input.organization_id {
            // Named: asked to take them on, not joined (see `services::membership`).
            store::organization::get(tx, org).await?.ok_or_else(|| {
                ApiError::bad_input("input.organizationId", "no such organization")
            })?;
        }
        // The volunteer record first, then the account: a sign-up that commits between the two
        // reads shows in the second, and is replayed rather than refused.
        let volunteer_taken = store::volunteer::get_by_phone(tx, self.phone)
            .await?
            .is_some();
        // Matched on the email even when none was given (an empty one), as ever.
        let existing = store::user::get_by_phone_or_email(
            tx,
            self.phone,
            Some(self.email.unwrap_or_default()),
        )
        .await?;
        if let Some(account) = existing {
            let Some(keyed) = keyed else {
                return Err(taken_error());
            };
            let keyed = idempotency::Keyed {
                user_id: account.id,
                ..keyed.clone()
            };
            if idempotency::replay(tx, &keyed).await? != Some(account.id) {
                return Err(taken_error());
            }
            // The same sign-up again: only its own password opens a session.
            let matches =
                credentials::verify(&self.input.password, account.password_hash.clone()).await?;
            if !matches || account.disabled_at.is_some() {
                return Err(taken_error());
            }
            let id = account.id;
            let output = issue(tx, &deps.keys, account, None).await?;
            return Ok(idempotency::Done {
                output,
                id,
                audit: None,
            });
        }
        if volunteer_taken {
            return Err(taken_error());
        }
        // Taken when checked before hashing, free now: nothing deletes accounts, so this is a
        // lost race in all but name; refused as taken.
        let Some(hash) = self.hash else {
            return Err(taken_error());
        };
        // A concurrent sign-up with the same phone or email that commits first makes these
        // inserts fail on a unique index: a keyed call then runs again and replays.
        let duplicate = |e: sea_orm::DbErr| match (e.sql_err(), keyed) {
            (Some(sea_orm::SqlErr::UniqueConstraintViolation(_)), Some(_)) => {
                idempotency::lost_race_error()
            }
            (Some(sea_orm::SqlErr::UniqueConstraintViolation(_)), None) => taken_error(),
            _ => ApiError::from(e),
        };
        let now = chrono::Utc::now();
        let record = store::volunteer::insert(
            tx,
            store::volunteer::NewVolunteer {
                full_name: self.full_name.to_owned(),
                phone: self.phone.to_owned(),
                email: self.email.map(str::to_owned),
                region_id: self.region_id,
                requested_organization_id: self.input.organization_id,
                skills: serde_json::json!(self.skills),
            },
            now,
        )
        .await
        .map_err(duplicate)?;
        let account = store::user::insert(
            tx,
            store::user::NewUser {
                email: self.email.map(str::to_owned),
                phone: Some(self.phone.to_owned()),
                password_hash: hash.to_owned(),
                role: Role::Volunteer,
                display_name: self.full_name.to_owned(),
                volunteer_id: Some(record.id),
                organization_id: None,
            },
            now,
        )
        .await
        .map_err(duplicate)?;
        if let Some(keyed) = keyed {
            let keyed = idempotency::Keyed {
                user_id: account.id,
                ..keyed.clone()
            };
            idempotency::record(tx, &keyed, account.id).await?;
        }
        // The ministry signs a volunteer up on their behalf; anyone else signs themself up.
        let who = match rc.actor {
            Actor::Ministry { .. } => audit::Who::of(&rc.actor)?,
            _ => audit::Who::user(account.id, AuditRole::Volunteer),
        };
        let change = audit::Change::new(AuditEntity::Volunteer, record.id, AuditAction::SignedUp)
            .key(keyed.map(|k| k.key));
        let id = account.id;
        let output = issue(tx, &deps.keys, account, None).await?;
        Ok(idempotency::Done {
            output,
            id,
            audit: Some((who, change)),
        })
    }
}
