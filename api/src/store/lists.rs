//! The sortable columns of the analysts' lists of shipments, tasks, volunteers and organizations.

use birlik_entity::{organization, shipment, task, volunteer};
use sea_orm::ActiveEnum;
use sea_orm::sea_query::{Expr, SimpleExpr};

use crate::store::page::{Field, KeyValue};

/// Declares a sort-field enum of one table: its variants, cursor names, columns and values.
macro_rules! sort_fields {
    ($name:ident, $module:ident, { $($variant:ident => $label:literal, $column:ident, |$row:ident| $value:expr;)* }) => {
        /// What the list can be ordered by.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($variant,)*
        }

        impl Field for $name {
            type Model = $module::Model;
            const ID: Self = $name::Id;

            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }

            fn column(self) -> SimpleExpr {
                match self {
                    $($name::$variant => Expr::col(($module::Entity, $module::Column::$column)),)*
                }
            }

            fn value(self, row: &$module::Model) -> KeyValue {
                match self {
                    $($name::$variant => { let $row = row; $value },)*
                }
            }
        }
    };
}

sort_fields!(ShipmentField, shipment, {
    CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
    UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
    Status => "STATUS", Status, |r| KeyValue::Text(r.status.to_value());
    Id => "ID", Id, |r| KeyValue::Int(r.id.into());
});

sort_fields!(TaskField, task, {
    CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
    UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
    StartsAt => "STARTS_AT", StartsAt, |r| KeyValue::Time(r.starts_at);
    EndsAt => "ENDS_AT", EndsAt, |r| KeyValue::Time(r.ends_at);
    Status => "STATUS", Status, |r| KeyValue::Text(r.status.to_value());
    Kind => "KIND", Kind, |r| KeyValue::Text(r.kind.to_value());
    VolunteersNeeded => "VOLUNTEERS_NEEDED", VolunteersNeeded, |r| KeyValue::Int(r.volunteers_needed.into());
    Id => "ID", Id, |r| KeyValue::Int(r.id.into());
});

sort_fields!(VolunteerField, volunteer, {
    CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
    UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
    FullName => "FULL_NAME", FullName, |r| KeyValue::Text(r.full_name.clone());
    Id => "ID", Id, |r| KeyValue::Int(r.id.into());
});

sort_fields!(OrganizationField, organization, {
    CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
    Name => "NAME", Name, |r| KeyValue::Text(r.name.clone());
    Kind => "KIND", Kind, |r| KeyValue::Text(r.kind.to_value());
    Id => "ID", Id, |r| KeyValue::Int(r.id.into());
});
