//! GraphQL enums mirroring the stored ones (SCREAMING_SNAKE_CASE on the wire).

use async_graphql::Enum;
use birlik_entity::enums;

/// Whether a region is a city of republican significance or an oblast.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "enums::RegionKind")]
pub enum RegionKind {
    /// A city of republican significance (Astana, Almaty, Shymkent).
    City,
    /// An oblast.
    Region,
}
