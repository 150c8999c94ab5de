//! The operations Birlik's clients send, verbatim (kept in `api/operations/`, copied from the
//! clients' own files). Known operations resolve from their hash without a database lookup, and with
//! `BIRLIK_OPERATIONS=allowlist` they are the only ones that run.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

pub const RELIEF_SUMMARY: &str = include_str!("../operations/public/ReliefSummary.graphql");
pub const REGIONS_OVERVIEW: &str = include_str!("../operations/ministry/RegionsOverview.graphql");
pub const AD_HOC_DONATIONS: &str = include_str!("../operations/ministry/AdHocDonations.graphql");
pub const ORGANIZATION_DONATIONS: &str =
    include_str!("../operations/ngo-portal/OrganizationDonations.graphql");
pub const WHERE_TO_BRING_AID: &str = include_str!("../operations/public/WhereToBringAid.graphql");
pub const DONATION_STATS: &str = include_str!("../operations/ministry/DonationStats.graphql");
pub const SHIPMENT_FLOWS: &str = include_str!("../operations/ministry/ShipmentFlows.graphql");
pub const OPEN_TASKS: &str = include_str!("../operations/volunteer-app/OpenTasks.graphql");
pub const MY_TASKS: &str = include_str!("../operations/volunteer-app/MyTasks.graphql");
pub const ME: &str = include_str!("../operations/volunteer-app/Me.graphql");
pub const REGISTER_DONATION: &str =
    include_str!("../operations/ngo-portal/RegisterDonation.graphql");
pub const PLAN_SHIPMENT: &str = include_str!("../operations/ngo-portal/PlanShipment.graphql");
pub const DISPATCH_SHIPMENT: &str =
    include_str!("../operations/ngo-portal/DispatchShipment.graphql");
pub const CONFIRM_DELIVERY: &str = include_str!("../operations/ngo-portal/ConfirmDelivery.graphql");
pub const POST_TASK: &str = include_str!("../operations/ngo-portal/PostTask.graphql");
pub const VERIFY_ORGANIZATION: &str =
    include_str!("../operations/ministry/VerifyOrganization.graphql");
pub const CLAIM_TASK: &str = include_str!("../operations/volunteer-app/ClaimTask.graphql");
pub const UPDATE_TASK_STATUS: &str =
    include_str!("../operations/volunteer-app/UpdateTaskStatus.graphql");
pub const LOGIN: &str = include_str!("../operations/volunteer-app/Login.graphql");
pub const SIGN_UP: &str = include_str!("../operations/volunteer-app/SignUp.graphql");
pub const REFRESH_SESSION: &str =
    include_str!("../operations/volunteer-app/RefreshSession.graphql");
pub const TASK_EVENTS: &str = include_str!("../operations/volunteer-app/TaskEvents.graphql");
pub const RAISE_NEED: &str = include_str!("../operations/regional-hq/RaiseNeed.graphql");
pub const CLOSE_NEED: &str = include_str!("../operations/regional-hq/CloseNeed.graphql");
pub const NEEDS_BOARD: &str = include_str!("../operations/ngo-portal/NeedsBoard.graphql");
pub const NEED_STATS: &str = include_str!("../operations/ministry/NeedStats.graphql");
pub const WHAT_IS_NEEDED: &str = include_str!("../operations/public/WhatIsNeeded.graphql");
pub const STOCK_ON_HAND: &str = include_str!("../operations/ngo-portal/StockOnHand.graphql");
pub const WRITE_OFF_STOCK: &str = include_str!("../operations/ngo-portal/WriteOffStock.graphql");

pub const OPEN_SHELTER: &str = include_str!("../operations/regional-hq/OpenShelter.graphql");
pub const REPORT_SHELTER_COUNT: &str =
    include_str!("../operations/regional-hq/ReportShelterCount.graphql");
pub const SHELTERS: &str = include_str!("../operations/public/Shelters.graphql");
pub const SITUATION: &str = include_str!("../operations/public/Situation.graphql");

/// Every client operation.
pub const ALL: [&str; 33] = [
    RELIEF_SUMMARY,
    REGIONS_OVERVIEW,
    AD_HOC_DONATIONS,
    ORGANIZATION_DONATIONS,
    WHERE_TO_BRING_AID,
    DONATION_STATS,
    SHIPMENT_FLOWS,
    OPEN_TASKS,
    MY_TASKS,
    ME,
    REGISTER_DONATION,
    PLAN_SHIPMENT,
    DISPATCH_SHIPMENT,
    CONFIRM_DELIVERY,
    POST_TASK,
    VERIFY_ORGANIZATION,
    CLAIM_TASK,
    UPDATE_TASK_STATUS,
    LOGIN,
    SIGN_UP,
    REFRESH_SESSION,
    TASK_EVENTS,
    RAISE_NEED,
    CLOSE_NEED,
    NEEDS_BOARD,
    NEED_STATS,
    WHAT_IS_NEEDED,
    STOCK_ON_HAND,
    WRITE_OFF_STOCK,
    OPEN_SHELTER,
    REPORT_SHELTER_COUNT,
    SHELTERS,
    SITUATION,
];

/// The operations by the SHA-256 of their text (as automatic persisted queries name them), and
/// their canonical forms.
struct Manifest {
    by_hash: HashMap<String, &'static str>,
    canonical: HashSet<String>,
}

static MANIFEST: LazyLock<Manifest> = LazyLock::new(|| Manifest {
    by_hash: ALL.iter().map(|text| (sha256_hex(text), *text)).collect(),
    canonical: ALL.iter().map(|text| canonical(text)).collect(),
});

pub use crate::hash::sha256_hex;

/// The client operation with this hash, if it is one.
pub fn by_hash(hash: &str) -> Option<&'static str> {
    MANIFEST.by_hash.get(hash).copied()
}

/// Whether a document is one of the client operations, up to comments, commas and spacing.
pub fn is_known(document: &str) -> bool {
    MANIFEST.canonical.contains(&canonical(document))
}

/// A document without comments and insignificant commas or whitespace: a space is kept only
/// between two characters of names or numbers. Strings are kept as written.
pub fn canonical(document: &str) -> String {
    use crate::graphql::tokens::{is_word, tokens};
    let mut out = String::with_capacity(document.len());
    let mut previous_word = false;
    for token in tokens(document) {
        let word = is_word(token);
        if word && previous_word {
            out.push(' ');
        }
        out.push_str(token);
        previous_word = word;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms_ignore_comments_commas_and_spacing() {
        assert_eq!(
            canonical(
                "# a comment\nquery Q($a: Int, $b: Int) {\n  f(a: $a, b: $b) { ...on T { x } }\n}\n"
            ),
            "query Q($a:Int$b:Int){f(a:$a b:$b){...on T{x}}}"
        );
        assert_eq!(
            canonical(r#"{ f(s: "a # b,  c") }"#),
            r#"{f(s:"a # b,  c")}"#
        );
        assert_eq!(canonical(r##"{ f(s: "q\"# x") }"##), r##"{f(s:"q\"# x")}"##);
    }

    #[test]
    fn every_client_operation_is_known_and_nothing_else_is() {
        for text in ALL {
            assert!(is_known(text));
            assert_eq!(by_hash(&sha256_hex(text)), Some(text));
        }
        assert!(is_known(&format!("  {}  ", ALL[0].replace('\n', "\n\n"))));
        assert!(!is_known("{ __schema { types { name } } }"));
        assert!(!is_known(&ALL[0].replace("{", "{ __typename ")));
    }
}
