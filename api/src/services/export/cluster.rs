//! Donation categories and the global humanitarian clusters they belong to: the one table an
//! export reads a category's code and cluster from. Cluster codes are the IASC global clusters'
//! three-letter codes as OCHA's planning and HDX datasets write them (`#sector +cluster +code`):
//! FSC food security, WSH water, sanitation and hygiene, SHL shelter and non-food items, HEA
//! health, NUT nutrition, LOG logistics.

use birlik_entity::enums::DonationCategory;

use crate::context::Lang;

/// A global cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cluster {
    FoodSecurity,
    Wash,
    Shelter,
    Health,
    Nutrition,
    Logistics,
}

impl Cluster {
    /// The global cluster code.
    pub fn code(self) -> &'static str {
        match self {
            Cluster::FoodSecurity => "FSC",
            Cluster::Wash => "WSH",
            Cluster::Shelter => "SHL",
            Cluster::Health => "HEA",
            Cluster::Nutrition => "NUT",
            Cluster::Logistics => "LOG",
        }
    }

    /// The cluster's name in `lang`.
    pub fn name(self, lang: Lang) -> &'static str {
        let (kk, ru, en) = match self {
            Cluster::FoodSecurity => (
                "Азық-түлік қауіпсіздігі",
                "Продовольственная безопасность",
                "Food Security",
            ),
            Cluster::Wash => (
                "Су, санитария және гигиена",
                "Водоснабжение, санитария и гигиена",
                "Water, Sanitation and Hygiene",
            ),
            Cluster::Shelter => (
                "Баспана және азық-түліктен тыс заттар",
                "Жильё и непродовольственные товары",
                "Shelter and NFI",
            ),
            Cluster::Health => ("Денсаулық сақтау", "Здравоохранение", "Health"),
            Cluster::Nutrition => ("Тамақтану", "Питание", "Nutrition"),
            Cluster::Logistics => ("Логистика", "Логистика", "Logistics"),
        };
        match lang {
            Lang::Kk => kk,
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

/// Every category: its code (the GraphQL enum value) and its cluster.
///
/// - Food → food security: the cluster coordinates food assistance.
/// - Drinking water → WASH: water supply is WASH's first mandate.
/// - Clothing → shelter: clothing is a non-food item, which the Shelter/NFI cluster covers.
/// - Hygiene → WASH: hygiene kits and supplies are distributed under WASH.
/// - Medicine → health.
/// - Bedding → shelter: blankets and mattresses are core non-food items.
/// - Baby supplies → nutrition: in the 2024 collection these were mostly infant formula and baby
///   food, which the nutrition cluster's infant feeding in emergencies covers.
/// - Animal feed → food security: the cluster's livelihoods and agriculture side covers livestock
///   feed (households' food security depends on their herds).
/// - Building materials → shelter: repair and reconstruction materials.
/// - Other → logistics: goods outside every sector travel through the common supply chain that
///   the logistics cluster coordinates; no sectoral cluster can claim them.
pub const CATEGORIES: [(DonationCategory, &str, Cluster); 10] = [
    (DonationCategory::Food, "FOOD", Cluster::FoodSecurity),
    (
        DonationCategory::DrinkingWater,
        "DRINKING_WATER",
        Cluster::Wash,
    ),
    (DonationCategory::Clothing, "CLOTHING", Cluster::Shelter),
    (DonationCategory::Hygiene, "HYGIENE", Cluster::Wash),
    (DonationCategory::Medicine, "MEDICINE", Cluster::Health),
    (DonationCategory::Bedding, "BEDDING", Cluster::Shelter),
    (
        DonationCategory::BabySupplies,
        "BABY_SUPPLIES",
        Cluster::Nutrition,
    ),
    (
        DonationCategory::AnimalFeed,
        "ANIMAL_FEED",
        Cluster::FoodSecurity,
    ),
    (
        DonationCategory::BuildingMaterials,
        "BUILDING_MATERIALS",
        Cluster::Shelter,
    ),
    (DonationCategory::Other, "OTHER", Cluster::Logistics),
];

/// A category's code and cluster.
pub fn of(category: DonationCategory) -> (&'static str, Cluster) {
    CATEGORIES
        .iter()
        .find(|(c, _, _)| *c == category)
        .map(|(_, code, cluster)| (*code, *cluster))
        .unwrap_or(("OTHER", Cluster::Logistics))
}

/// The category a code names (case-insensitive), if any.
pub fn parse(code: &str) -> Option<DonationCategory> {
    CATEGORIES
        .iter()
        .find(|(_, c, _)| c.eq_ignore_ascii_case(code.trim()))
        .map(|(category, _, _)| *category)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    #[test]
    fn every_category_has_one_row() {
        for category in DonationCategory::iter() {
            let rows = CATEGORIES.iter().filter(|(c, _, _)| *c == category).count();
            assert_eq!(rows, 1, "{category:?}");
            assert_eq!(parse(of(category).0), Some(category));
        }
    }
}
