//! The database itself refuses bad rows, whatever code writes them: CHECK, FOREIGN KEY, UNIQUE and
//! NOT NULL constraints, tried one by one on a copy of the demo data.

use birlik_entity::enums::{DonationStatus, ShipmentStatus, TaskStatus};
use birlik_entity::{
    collection_point, donation, region, shipment, shipment_item, task, task_assignment,
    user_account, volunteer,
};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter,
};

use crate::helpers::TestDb;

fn refused<T: std::fmt::Debug>(what: &str, result: Result<T, DbErr>) {
    assert!(result.is_err(), "the database accepted {what}: {result:?}");
}

async fn first<E: EntityTrait>(db: &DatabaseConnection) -> E::Model {
    E::find().one(db).await.unwrap().unwrap()
}

async fn donation_with(db: &DatabaseConnection, status: DonationStatus) -> donation::Model {
    donation::Entity::find()
        .filter(donation::Column::Status.eq(status))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn donation_mass_and_shipping_figures_are_checked() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let received = donation_with(&db, DonationStatus::Received).await;

    for grams in [0, -1000] {
        let mut bad = received.clone().into_active_model();
        bad.grams = Set(grams);
        refused("a donation of no or negative mass", bad.update(&db).await);
    }
    let mut over = received.clone().into_active_model();
    over.shipped_grams = Set(received.grams + 1);
    over.status = Set(DonationStatus::PartlyShipped);
    refused("more shipped than donated", over.update(&db).await);

    let mut lying = received.clone().into_active_model();
    lying.status = Set(DonationStatus::Shipped);
    refused(
        "a 'shipped' donation with nothing shipped",
        lying.update(&db).await,
    );

    let shipped = donation_with(&db, DonationStatus::Shipped).await;
    let mut cancel = shipped.clone().into_active_model();
    cancel.status = Set(DonationStatus::Cancelled);
    cancel.cancelled_at = Set(Some(Utc::now()));
    refused("cancelling a shipped donation", cancel.update(&db).await);

    let mut count = received.clone().into_active_model();
    count.item_count = Set(Some(0));
    refused("an item count of zero", count.update(&db).await);

    // Nothing above changed the row.
    assert_eq!(
        donation::Entity::find_by_id(received.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap(),
        received
    );
}

#[tokio::test]
async fn a_donation_keeps_its_collection_points_organization_and_region() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let d = donation_with(&db, DonationStatus::Received).await;
    let other_org = collection_point::Entity::find()
        .filter(collection_point::Column::OrganizationId.ne(d.organization_id))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut bad = d.clone().into_active_model();
    bad.organization_id = Set(other_org.organization_id);
    refused(
        "a donation credited to another organization than its point's",
        bad.update(&db).await,
    );
    let mut bad = d.clone().into_active_model();
    bad.region_id = Set(other_org.region_id);
    bad.collection_point_id = Set(d.collection_point_id);
    if other_org.region_id != d.region_id {
        refused(
            "a donation placed in another region than its point's",
            bad.update(&db).await,
        );
    }
    let mut missing = d.into_active_model();
    missing.collection_point_id = Set(999_999);
    refused(
        "a donation at a collection point that does not exist",
        missing.update(&db).await,
    );
}

#[tokio::test]
async fn shipments_and_their_items_are_checked() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let planned = shipment::Entity::find()
        .filter(shipment::Column::Status.eq(ShipmentStatus::Planned))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut same = planned.clone().into_active_model();
    same.destination_region_id = Set(planned.origin_region_id);
    refused("a shipment to its own region", same.update(&db).await);

    let mut delivered_without_dispatch = planned.clone().into_active_model();
    delivered_without_dispatch.status = Set(ShipmentStatus::Delivered);
    delivered_without_dispatch.delivered_at = Set(Some(Utc::now()));
    refused(
        "a delivered shipment never dispatched",
        delivered_without_dispatch.update(&db).await,
    );

    let mut backwards = planned.clone().into_active_model();
    backwards.status = Set(ShipmentStatus::Delivered);
    backwards.dispatched_at = Set(Some(Utc::now()));
    backwards.delivered_at = Set(Some(Utc::now() - Duration::days(1)));
    refused(
        "a delivery before its dispatch",
        backwards.update(&db).await,
    );

    // An item may only load a donation from the shipment's origin region.
    let foreign = donation::Entity::find()
        .filter(donation::Column::RegionId.ne(planned.origin_region_id))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let item = |donation_id, origin, grams| shipment_item::ActiveModel {
        shipment_id: Set(planned.id),
        donation_id: Set(donation_id),
        origin_region_id: Set(origin),
        grams: Set(grams),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    refused(
        "loading a donation of another region",
        item(foreign.id, planned.origin_region_id, 1000)
            .insert(&db)
            .await,
    );
    refused(
        "an item whose region is not its shipment's",
        item(foreign.id, foreign.region_id, 1000).insert(&db).await,
    );
    let loaded = shipment_item::Entity::find()
        .filter(shipment_item::Column::ShipmentId.eq(planned.id))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    refused(
        "an item of no mass",
        item(loaded.donation_id, planned.origin_region_id, 0)
            .insert(&db)
            .await,
    );
    refused(
        "the same donation twice on one shipment",
        item(loaded.donation_id, planned.origin_region_id, 1000)
            .insert(&db)
            .await,
    );
}

#[tokio::test]
async fn tasks_keep_their_time_window_and_places() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let open = task::Entity::find()
        .filter(task::Column::Status.eq(TaskStatus::Open))
        .one(&db)
        .await
        .unwrap()
        .unwrap();

    let mut backwards = open.clone().into_active_model();
    backwards.ends_at = Set(open.starts_at);
    refused(
        "a task that ends when it starts",
        backwards.update(&db).await,
    );

    let mut nobody = open.clone().into_active_model();
    nobody.volunteers_needed = Set(0);
    nobody.volunteers_assigned = Set(0);
    refused("a task for no volunteers", nobody.update(&db).await);

    let mut overfull = open.clone().into_active_model();
    overfull.volunteers_assigned = Set(open.volunteers_needed + 1);
    refused("more volunteers than places", overfull.update(&db).await);

    let mut full_but_open = open.clone().into_active_model();
    full_but_open.volunteers_assigned = Set(open.volunteers_needed);
    refused(
        "an 'open' task with no free place",
        full_but_open.update(&db).await,
    );

    let mut cancelled_without_time = open.clone().into_active_model();
    cancelled_without_time.status = Set(TaskStatus::Cancelled);
    refused(
        "a cancelled task without its time",
        cancelled_without_time.update(&db).await,
    );

    let mut blank = open.clone().into_active_model();
    blank.title = Set("   ".into());
    refused("a blank title", blank.update(&db).await);
}

#[tokio::test]
async fn a_volunteer_holds_one_live_claim_per_task() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let claim = task_assignment::Entity::find()
        .filter(
            task_assignment::Column::Status.ne(birlik_entity::enums::AssignmentStatus::Released),
        )
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut twin = claim.clone().into_active_model();
    twin.id = sea_orm::ActiveValue::NotSet;
    twin = twin.reset_all();
    twin.id = sea_orm::ActiveValue::NotSet;
    refused(
        "a second live claim on the same task",
        twin.insert(&db).await,
    );
}

#[tokio::test]
async fn keys_are_unique_and_required_columns_are_required() {
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    let astana = first::<region::Entity>(&db).await;
    let mut twin = astana.clone().into_active_model().reset_all();
    twin.id = sea_orm::ActiveValue::NotSet;
    refused("a second region KZ-71", twin.insert(&db).await);

    let no_code = region::ActiveModel {
        name_kk: Set("x".into()),
        name_ru: Set("x".into()),
        name_en: Set("x".into()),
        ..Default::default()
    };
    refused("a region without a code", no_code.insert(&db).await);

    let v1 = first::<volunteer::Entity>(&db).await;
    let v2 = volunteer::Entity::find_by_id(v1.id + 1)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut same_phone = v2.into_active_model();
    same_phone.phone = Set(v1.phone.clone());
    refused(
        "two volunteers with one phone",
        same_phone.update(&db).await,
    );

    let ministry = first::<user_account::Entity>(&db).await;
    let mut copy = ministry.clone().into_active_model().reset_all();
    copy.id = sea_orm::ActiveValue::NotSet;
    refused("two accounts with one email", copy.insert(&db).await);

    let mut ngo_without_org = ministry.clone().into_active_model();
    ngo_without_org.role = Set(birlik_entity::enums::Role::Ngo);
    refused(
        "an NGO account without its organization",
        ngo_without_org.update(&db).await,
    );

    let mut plain = ministry.into_active_model();
    plain.password_hash = Set("plaintext".into());
    refused(
        "a password that is not an argon2id hash",
        plain.update(&db).await,
    );
}
