//! `[sso]`: IAM Identity Center permission sets and account assignments.
//!
//! Permission sets plinth owns (tagged `managed-by=plinth`) are created, corrected one
//! difference at a time (settings, each managed or customer managed policy, the inline
//! policy compared semantically, the boundary) and then provisioned again to every
//! account that has them. A same-named set plinth does not own is an error; an owned set
//! the baseline dropped is an orphan, deleted (assignments first) only with `--allow-delete`.
//!
//! Assignments: the baseline's groups and users get each permission set in every account
//! its targets expand to (an OU means every account in it and below, the way the plan
//! leaves the organization: accounts it creates or moves count where they will be).
//! Assignments of plinth's permission sets to those principals that the baseline does not
//! imply are removed; assignments of other permission sets are never touched.

mod assignments;
mod permission_sets;
mod placement;

use super::{Context, Op, Plan, Ref, SsoCall, SsoOp};
use crate::baseline::Baseline;
use crate::baseline::sso::PermissionSetDecl;
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{Boundary, PermissionSetSpec, PrincipalKind};

/// A grant: (permission set name, principal kind, principal name, account key).
type Grant = (String, PrincipalKind, String, String);
/// A resource to reference, and the plan changes that must succeed first.
type Needs = (Ref, Vec<String>);

pub fn address(name: &str) -> String {
    format!("sso.permission_set:{name}")
}

fn provision_address(name: &str) -> String {
    format!("{}.provision", address(name))
}

/// `account` is a live account id, or the address of the change that creates the account
/// (`account:<name>`).
fn assignment_address(set: &str, kind: PrincipalKind, principal: &str, account: &str) -> String {
    let account = if account.starts_with("account:") {
        account.to_owned()
    } else {
        format!("account:{account}")
    };
    format!("sso.assignment:{set} {}:{principal} -> {account}", kind.as_str())
}

/// The permission set the baseline declares, in AWS's terms.
pub fn spec(baseline: &Baseline, decl: &PermissionSetDecl) -> PermissionSetSpec {
    let name = decl.name.get_ref().as_str();
    let mut managed: Vec<String> = decl.managed_policies.iter().map(|p| p.get_ref().to_string()).collect();
    managed.sort();
    let mut customer: Vec<(String, String)> = decl
        .customer_managed_policies
        .iter()
        .map(|c| (c.get_ref().name.to_string(), c.get_ref().path.to_string()))
        .collect();
    customer.sort();
    PermissionSetSpec {
        name: name.to_owned(),
        description: decl.description.as_ref().map(|d| d.get_ref().to_string()),
        session_duration: decl.session_duration().to_string(),
        relay_state: decl.relay_state.as_ref().map(|r| r.get_ref().to_string()),
        managed_policies: managed,
        customer_managed_policies: customer,
        inline_policy: baseline
            .inline_policies
            .get(name)
            .map(|p| crate::policy::minify(&p.document)),
        permissions_boundary: decl.permissions_boundary.as_ref().map(|b| {
            let b = b.get_ref();
            match (&b.managed_policy_arn, &b.name) {
                (Some(arn), _) => Boundary::ManagedPolicy {
                    arn: arn.get_ref().to_string(),
                },
                (None, name) => Boundary::CustomerManagedPolicy {
                    name: name.as_ref().map(|n| n.get_ref().to_string()).unwrap_or_default(),
                    path: b
                        .path
                        .as_ref()
                        .map_or_else(|| "/".to_owned(), |p| p.get_ref().to_string()),
                },
            }
        }),
    }
}

pub fn plan(cx: &Context<'_>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let Some(section) = &cx.baseline.file.sso else {
        return Ok(());
    };
    let sso = &cx.observed.sso;
    let src = &cx.baseline.source;
    let Some(instance) = &sso.instance else {
        return Err(Diagnostic::error(format!(
            "IAM Identity Center is not enabled in `{}`",
            cx.baseline.home_region()
        ))
        .at(src, section.span())
        .cause("the baseline's `[sso]` section needs the organization's Identity Center instance")
        .hint(
            "enable IAM Identity Center (console: IAM Identity Center → Enable, with AWS Organizations) in the \
             baseline's `home_region`, or set `organization.home_region` to the region it is enabled in",
        )
        .into());
    };
    let section = section.get_ref();
    let op = |call: SsoCall| {
        Op::Sso(SsoOp {
            region: cx.baseline.home_region().to_string(),
            instance_arn: instance.arn.clone(),
            call,
        })
    };
    let mut diags = Diagnostics::default();

    let (set_refs, declared) = permission_sets::plan_sets(cx, section, &op, plan, &mut diags);
    assignments::plan_assignments(cx, section, &op, &set_refs, &declared, plan, diags)
}

#[cfg(test)]
mod tests;
