//! Collection points: public, so donors can find them. A region's pages and counts load
//! through the request's DataLoaders (`graphql::loaders`), one statement for every region.

/// The cursor ordering of collection point pages.
pub const ORDERING: &str = "ID:ASC";
