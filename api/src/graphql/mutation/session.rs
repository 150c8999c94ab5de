//! `login`, `refreshSession`, `logout`, `registerVolunteer`.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::ResultExt;
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::volunteer::User;
use crate::services;
use crate::services::session::Tokens;

/// Tokens of a session and its account.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer …`; lives about 15 minutes.
    pub access_token: String,
    /// Exchange with `refreshSession` for a new pair; works once.
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
    /// The account.
    pub user: User,
}

impl From<Tokens> for AuthPayload {
    fn from(t: Tokens) -> Self {
        AuthPayload {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_at: t.expires_at,
            user: User(t.user),
        }
    }
}

/// A fresh access token and refresh token.
#[derive(SimpleObject)]
pub struct RefreshPayload {
    /// Send as `Authorization: Bearer …`.
    pub access_token: String,
    /// The next refresh token; the one just used no longer works.
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
}

/// The end of a session.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// Always true: the session, if it existed, is over.
    pub ok: bool,
}

/// A volunteer signing up from the app.
#[derive(InputObject)]
pub struct RegisterVolunteerInput {
    /// Full name.
    pub full_name: String,
    /// Mobile phone (+7 7XX XXX XX XX); also the login.
    pub phone: String,
    /// Email, optional; also a login.
    pub email: Option<String>,
    /// At least 8 characters.
    pub password: String,
    /// The regional headquarters to join (`KZ-39`).
    pub region_code: String,
    /// An organization to join, optional.
    pub organization_id: Option<ID>,
    /// What they can do.
    #[graphql(default)]
    pub skills: Vec<String>,
    /// Optional key for safe retries: the same key, input and password again sign in to the
    /// account the first call made, instead of being refused as a taken phone.
    pub idempotency_key: Option<String>,
}

#[derive(Default)]
pub struct SessionMutation;

#[Object]
impl SessionMutation {
    /// Logs in with an email or phone and a password. Public.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "An email address or a phone number (+7 7XX XXX XX XX).")] login: String,
        #[graphql(desc = "The account's password.")] password: String,
    ) -> async_graphql::Result<AuthPayload> {
        services::session::login(ctx.deps(), ctx.request().0, &login, &password)
            .await
            .map(Into::into)
            .extend()
    }

    /// Exchanges a refresh token for a new pair. Reusing an exchanged token ends the whole session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session's current refresh token.")] refresh_token: String,
    ) -> async_graphql::Result<RefreshPayload> {
        let t = services::session::refresh(ctx.deps(), &refresh_token)
            .await
            .extend()?;
        Ok(RefreshPayload {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            expires_at: t.expires_at,
        })
    }

    /// Ends the session of a refresh token.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session's current refresh token.")] refresh_token: String,
    ) -> async_graphql::Result<LogoutPayload> {
        services::session::logout(ctx.deps(), &refresh_token)
            .await
            .map(|ok| LogoutPayload { ok })
            .extend()
    }

    /// Signs a volunteer up and logs them in. Public.
    async fn register_volunteer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who signs up.")] input: RegisterVolunteerInput,
    ) -> async_graphql::Result<AuthPayload> {
        let (rc, _) = ctx.request();
        let sign_up = services::volunteer::SignUp {
            full_name: input.full_name,
            phone: input.phone,
            email: input.email,
            password: input.password,
            region_code: input.region_code,
            organization_id: input
                .organization_id
                .as_ref()
                .map(|id| relay::decode("Organization", "input.organizationId", id))
                .transpose()
                .extend()?,
            skills: input.skills,
        };
        let key = input.idempotency_key.as_deref();
        services::volunteer::register(rc, ctx.deps(), sign_up, key)
            .await
            .map(Into::into)
            .extend()
    }
}

/// A login for an organization's staff.
#[derive(InputObject)]
pub struct CreateStaffAccountInput {
    /// The organization they work for.
    pub organization_id: ID,
    /// Login email.
    pub email: String,
    /// Login phone, optional.
    pub phone: Option<String>,
    /// The name shown for the account.
    pub display_name: String,
    /// A first password (at least 8 characters), to be changed by its owner.
    pub password: String,
}

/// An account after a change.
#[derive(SimpleObject)]
pub struct AccountPayload {
    /// The account as it now stands.
    pub user: User,
}

#[derive(Default)]
pub struct AccountMutation;

async fn set_disabled(
    ctx: &Context<'_>,
    user_id: &ID,
    disabled: bool,
) -> async_graphql::Result<AccountPayload> {
    let id = relay::decode("User", "userId", user_id).extend()?;
    let user = services::account::set_disabled(ctx.request().0, ctx.deps(), id, disabled)
        .await
        .extend()?;
    Ok(AccountPayload { user: User(user) })
}

#[Object]
impl AccountMutation {
    /// Creates a login for an organization's staff (the ministry).
    async fn create_staff_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who gets the login.")] input: CreateStaffAccountInput,
    ) -> async_graphql::Result<AccountPayload> {
        let (rc, _) = ctx.request();
        let staff = services::account::Staff {
            organization_id: relay::decode(
                "Organization",
                "input.organizationId",
                &input.organization_id,
            )
            .extend()?,
            email: input.email,
            phone: input.phone,
            display_name: input.display_name,
            password: input.password,
        };
        let user = services::account::create_staff(rc, ctx.deps(), staff)
            .await
            .extend()?;
        Ok(AccountPayload { user: User(user) })
    }

    /// Disables an account (the ministry): its sessions end and its tokens stop working at once.
    async fn disable_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account.")] user_id: ID,
    ) -> async_graphql::Result<AccountPayload> {
        set_disabled(ctx, &user_id, true).await
    }

    /// Enables a disabled account again (the ministry).
    async fn enable_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account.")] user_id: ID,
    ) -> async_graphql::Result<AccountPayload> {
        set_disabled(ctx, &user_id, false).await
    }

    /// Changes the caller's password. Every session of the account ends; the answer starts a new one.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The password in use.")] current_password: String,
        #[graphql(desc = "The new password (at least 8 characters).")] new_password: String,
    ) -> async_graphql::Result<AuthPayload> {
        let (rc, _) = ctx.request();
        services::account::change_password(rc, ctx.deps(), &current_password, &new_password)
            .await
            .map(Into::into)
            .extend()
    }
}
