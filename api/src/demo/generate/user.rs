//! The demo's three accounts (ministry, NGO, volunteer) with their given password hashes.

use birlik_entity::enums::Role;
use birlik_entity::{collection_point, organization, user_account, volunteer};

use super::{MINISTRY_LOGIN, NGO_LOGIN, VOLUNTEER_LOGIN, VOLUNTEER_PHONE, at};

pub(super) fn users(
    orgs: &[organization::Model],
    points: &[collection_point::Model],
    volunteers: &[volunteer::Model],
    [ministry, ngo, volunteer]: [String; 3],
) -> Vec<user_account::Model> {
    let created = at(2024, 4, 6, 8);
    let first_point = points
        .iter()
        .find(|p| {
            orgs.iter()
                .any(|o| o.id == p.organization_id && o.name.contains("Астана"))
        })
        .expect("a collection point in Astana");
    let account =
        |id, email: &str, hash: String, role, name: String, vol, org| user_account::Model {
            id,
            email: Some(email.to_owned()),
            phone: None,
            password_hash: hash,
            role,
            display_name: name,
            volunteer_id: vol,
            organization_id: org,
            disabled_at: None,
            created_at: created,
            updated_at: created,
            version: 1,
        };
    let org = orgs
        .iter()
        .find(|o| o.id == first_point.organization_id)
        .expect("its organization");
    let mut volunteer_account = account(
        3,
        VOLUNTEER_LOGIN,
        volunteer,
        Role::Volunteer,
        volunteers[0].full_name.clone(),
        Some(volunteers[0].id),
        None,
    );
    volunteer_account.phone = Some(VOLUNTEER_PHONE.to_owned());
    vec![
        account(
            1,
            MINISTRY_LOGIN,
            ministry,
            Role::Ministry,
            "Министерство культуры и информации".into(),
            None,
            None,
        ),
        account(
            2,
            NGO_LOGIN,
            ngo,
            Role::Ngo,
            format!("Координатор: {}", org.name),
            None,
            Some(org.id),
        ),
        volunteer_account,
    ]
}
