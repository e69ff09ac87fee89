//! The values operations carry, as format 1 writes them: a mirror of the live state's
//! types (`crate::observed`), field for field, so that renaming an internal field cannot
//! change the public format. Conversions name every field (a destructuring `let` or an
//! exhaustive `match`): a new internal field or variant needs its line here.

mod accounts;
mod budgets;
mod trail;

pub use self::accounts::{
    BoundaryView, ContactSpecView, ContactTypeView, PermissionSetView, PrincipalKindView, RootCredentialView,
};
pub use self::budgets::{BudgetNotificationView, BudgetSpecView, BudgetSubscriberView};
pub use self::trail::{AlarmView, MetricFilterView, SelectorsView, TrailSettingsView};

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}
