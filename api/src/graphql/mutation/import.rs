//! `importDonations`: a short list of donations registered at once, all or none, as
//! `POST /imports/donations` registers a file.

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::relay;
use crate::graphql::types::enums::DonationCategory;
use crate::mass::Decimal;
use crate::services;
use crate::services::import::{Draft, ImportKey, PointRef};

/// Most rows `importDonations` takes (a larger list is a file for `POST /imports/donations`).
pub const MAX_ROWS: usize = 500;

/// One donation of an import: the fields of `RegisterDonationInput` without its key.
#[derive(InputObject)]
pub struct ImportDonationRowInput {
    /// One of your organization's collection points.
    pub collection_point_id: ID,
    /// What it is.
    pub category: DonationCategory,
    /// Mass in kilograms, exact to the gram (more than 0, at most 1,000,000).
    pub kilograms: Decimal,
    /// Number of items, when counted.
    pub item_count: Option<i32>,
    /// What it is, in a few words.
    #[graphql(default)]
    pub description: String,
    /// The donor's name; leave out for an anonymous donor. Personal data.
    pub donor_name: Option<String>,
    /// When it was received (now when absent); not in the future.
    pub received_at: Option<DateTime<Utc>>,
}

/// Donations to register together.
#[derive(InputObject)]
pub struct ImportDonationsInput {
    /// At most 500 rows; a bad one refuses them all.
    pub rows: Vec<ImportDonationRowInput>,
    /// A key of the client's choosing; without one, the rows themselves are the key (the same
    /// rows sent again by the same caller import once).
    pub idempotency_key: Option<String>,
}

/// What an import did.
#[derive(SimpleObject)]
pub struct ImportDonationsPayload {
    /// Donations registered.
    pub imported: i32,
    /// Their kilograms.
    pub kilograms: Decimal,
    /// True when this answers the same import sent before (nothing was registered again).
    pub replayed: bool,
    /// The first donation registered.
    pub first_donation_id: ID,
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Registers several donations at once, all or none (who may: as `registerDonation`). A bad
    /// row refuses them all with BAD_USER_INPUT whose `extensions.errors` lists every bad row
    /// (`index`, `field`, `reason`).
    async fn import_donations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The donations received.")] input: ImportDonationsInput,
    ) -> async_graphql::Result<ImportDonationsPayload> {
        let (rc, deps) = ctx.request();
        if input.rows.len() > MAX_ROWS {
            return Err(ApiError::bad_input(
                "input.rows",
                format!(
                    "at most {MAX_ROWS} rows; send a larger list as a file to /imports/donations"
                ),
            ))
            .extend();
        }
        let fingerprint = serde_json::Value::Array(input.rows.iter().map(fingerprint).collect());
        let mut key = ImportKey::of_content(fingerprint.to_string().as_bytes());
        if let Some(given) = input.idempotency_key {
            key.key = given;
        }
        let drafts = input
            .rows
            .into_iter()
            .enumerate()
            .map(|(index, row)| Draft {
                line: index,
                point: relay::decode(
                    "CollectionPoint",
                    "collectionPointId",
                    &row.collection_point_id,
                )
                .map(PointRef::Id)
                .map_err(|e| e.to_string()),
                category: Ok(row.category.into()),
                kilograms: Ok(row.kilograms.0),
                item_count: Ok(row.item_count),
                description: row.description,
                donor_name: row.donor_name,
                received_at: Ok(row.received_at),
                shape: None,
            })
            .collect();
        match services::import::import(rc, deps, drafts, &key)
            .await
            .extend()?
        {
            Ok(outcome) => Ok(ImportDonationsPayload {
                imported: i32::try_from(outcome.imported).unwrap_or(i32::MAX),
                kilograms: crate::mass::kilograms(outcome.grams),
                replayed: outcome.replayed,
                first_donation_id: relay::encode("Donation", outcome.first_id),
            }),
            Err(report) => {
                let errors: Vec<_> = report
                    .iter()
                    .map(|e| serde_json::json!({ "index": e.line, "field": e.column, "reason": e.reason }))
                    .collect();
                let value = async_graphql::Value::from_json(serde_json::Value::Array(errors))
                    .unwrap_or_default();
                Err(async_graphql::Error::new(format!(
                    "{} row(s) refused; nothing was imported",
                    report.len()
                ))
                .extend_with(|_, ext| {
                    ext.set("code", "BAD_USER_INPUT");
                    ext.set("field", "input.rows");
                    ext.set("errors", value);
                }))
            }
        }
    }
}

/// A row as the content key reads it: every field, in a fixed order.
fn fingerprint(row: &ImportDonationRowInput) -> serde_json::Value {
    let category: birlik_entity::enums::DonationCategory = row.category.into();
    serde_json::json!([
        row.collection_point_id.as_str(),
        category,
        row.kilograms.0.normalize().to_string(),
        row.item_count,
        row.description,
        row.donor_name,
        row.received_at.map(|t| t.to_rfc3339()),
    ])
}
