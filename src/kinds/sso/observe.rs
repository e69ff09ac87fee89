//! What `[sso]` reads: the instance, the permission sets it names, its groups and users
//! and their assignments.

use super::section::SsoSection;
use crate::aws::sso::SsoScope;
use crate::diag::Diagnostics;
use crate::kinds::ObserveCx;
use crate::observed::SsoState;
use crate::types::{OuPath, Target};

/// IAM Identity Center, when the baseline has `[sso]`.
pub(super) async fn observe(
    cx: &ObserveCx<'_>,
    section: &Option<toml::Spanned<super::SsoSection>>,
) -> Result<SsoState, Diagnostics> {
    let Some(section) = section else {
        return Ok(SsoState::default());
    };
    tracing::info!("reading IAM Identity Center");
    let state = cx
        .clients
        .sso(cx.baseline.home_region().as_str())
        .read(&scope(section.get_ref()))
        .await
        .map_err(|e| cx.clients.failure("cannot read IAM Identity Center", e))?;
    tracing::info!(
        permission_sets = state.permission_sets.len(),
        assignments = state.assignments.len(),
        "read IAM Identity Center"
    );
    Ok(state)
}

/// What `[sso]` needs read: the names of permission sets, groups and users.
fn scope(section: &SsoSection) -> SsoScope {
    let mut scope = SsoScope::default();
    for ps in &section.permission_set {
        scope.permission_sets.insert(ps.get_ref().name.get_ref().to_string());
    }
    for a in &section.assignment {
        let a = a.get_ref();
        scope.groups.extend(a.groups.iter().map(|g| g.get_ref().to_string()));
        scope.users.extend(a.users.iter().map(|u| u.get_ref().to_string()));
    }
    scope
}

/// The OU paths whose accounts the assignments need (each with everything below it).
pub(super) fn targeted_ous(section: &SsoSection) -> Vec<OuPath> {
    section
        .assignment
        .iter()
        .flat_map(|a| a.get_ref().targets.get_ref().iter())
        .filter_map(|t| match t.get_ref() {
            Target::Ou(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}
