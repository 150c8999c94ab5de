//! Regions: the 3 cities and 17 regions of Kazakhstan (ISO 3166-2:KZ) with their names in Kazakh,
//! Russian and English, and the campaign's two flags: which collect aid and which were affected.
//! They are reference data, so this migration inserts them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{boolean, pk_auto, string, string_uniq};

use crate::common::{one_of, sync_columns};

#[derive(DeriveIden)]
enum Region {
    Table,
    Id,
    Code,
    NameKk,
    NameRu,
    NameEn,
    Kind,
    Collects,
    Affected,
    CreatedAt,
    UpdatedAt,
}

/// (code, Kazakh, Russian, English, kind, collects, affected), as DOMAIN.md lists them.
const REGIONS: [(&str, &str, &str, &str, &str, bool, bool); 20] = [
    ("KZ-71", "Астана", "Астана", "Astana", "city", true, false),
    ("KZ-75", "Алматы", "Алматы", "Almaty", "city", true, false),
    (
        "KZ-79",
        "Шымкент",
        "Шымкент",
        "Shymkent",
        "city",
        true,
        false,
    ),
    (
        "KZ-10",
        "Абай облысы",
        "Абайская область",
        "Abai Region",
        "region",
        false,
        true,
    ),
    (
        "KZ-11",
        "Ақмола облысы",
        "Акмолинская область",
        "Akmola Region",
        "region",
        true,
        true,
    ),
    (
        "KZ-15",
        "Ақтөбе облысы",
        "Актюбинская область",
        "Aktobe Region",
        "region",
        true,
        true,
    ),
    (
        "KZ-19",
        "Алматы облысы",
        "Алматинская область",
        "Almaty Region",
        "region",
        true,
        false,
    ),
    (
        "KZ-23",
        "Атырау облысы",
        "Атырауская область",
        "Atyrau Region",
        "region",
        true,
        true,
    ),
    (
        "KZ-27",
        "Батыс Қазақстан облысы",
        "Западно-Казахстанская область",
        "West Kazakhstan Region",
        "region",
        true,
        true,
    ),
    (
        "KZ-31",
        "Жамбыл облысы",
        "Жамбылская область",
        "Zhambyl Region",
        "region",
        true,
        false,
    ),
    (
        "KZ-33",
        "Жетісу облысы",
        "область Жетісу",
        "Zhetisu Region",
        "region",
        true,
        false,
    ),
    (
        "KZ-35",
        "Қарағанды облысы",
        "Карагандинская область",
        "Karaganda Region",
        "region",
        false,
        true,
    ),
    (
        "KZ-39",
        "Қостанай облысы",
        "Костанайская область",
        "Kostanay Region",
        "region",
        true,
        true,
    ),
    (
        "KZ-43",
        "Қызылорда облысы",
        "Кызылординская область",
        "Kyzylorda Region",
        "region",
        true,
        false,
    ),
    (
        "KZ-47",
        "Маңғыстау облысы",
        "Мангистауская область",
        "Mangystau Region",
        "region",
        true,
        false,
    ),
    (
        "KZ-55",
        "Павлодар облысы",
        "Павлодарская область",
        "Pavlodar Region",
        "region",
        true,
        true,
    ),
    (
        "KZ-59",
        "Солтүстік Қазақстан облысы",
        "Северо-Казахстанская область",
        "North Kazakhstan Region",
        "region",
        false,
        true,
    ),
    (
        "KZ-61",
        "Түркістан облысы",
        "Туркестанская область",
        "Turkestan Region",
        "region",
        true,
        false,
    ),
    (
        "KZ-62",
        "Ұлытау облысы",
        "область Ұлытау",
        "Ulytau Region",
        "region",
        false,
        true,
    ),
    (
        "KZ-63",
        "Шығыс Қазақстан облысы",
        "Восточно-Казахстанская область",
        "East Kazakhstan Region",
        "region",
        true,
        false,
    ),
];

/// The moment the reference rows were written, in the RFC 3339 form sqlx writes to SQLite.
const REFERENCE_TIME: &str = "2024-04-06T00:00:00+00:00";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Region::Table)
            .col(pk_auto(Region::Id))
            .col(string_uniq(Region::Code))
            .col(string(Region::NameKk))
            .col(string(Region::NameRu))
            .col(string(Region::NameEn))
            .col(string(Region::Kind))
            .col(boolean(Region::Collects))
            .col(boolean(Region::Affected))
            .check((
                "region_kind_known",
                one_of(Region::Kind, &["city", "region"]),
            ))
            .check(("region_code_format", Expr::col(Region::Code).like("KZ-__")));
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await?;

        let mut insert = Query::insert();
        insert.into_table(Region::Table).columns([
            Region::Code,
            Region::NameKk,
            Region::NameRu,
            Region::NameEn,
            Region::Kind,
            Region::Collects,
            Region::Affected,
            Region::CreatedAt,
            Region::UpdatedAt,
        ]);
        let at = Expr::val(REFERENCE_TIME).cast_as(Alias::new(timestamp_type(manager)));
        for (code, kk, ru, en, kind, collects, affected) in REGIONS {
            insert.values_panic([
                code.into(),
                kk.into(),
                ru.into(),
                en.into(),
                kind.into(),
                collects.into(),
                affected.into(),
                at.clone(),
                at.clone(),
            ]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Region::Table).to_owned())
            .await
    }
}

/// The type a timestamp literal is cast to: PostgreSQL parses RFC 3339 into `timestamptz`;
/// SQLite keeps text, in the form sqlx writes and reads back.
fn timestamp_type(manager: &SchemaManager) -> &'static str {
    match manager.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "timestamptz",
        _ => "text",
    }
}
