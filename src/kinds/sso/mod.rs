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
mod corrections;
mod import;
mod observe;
mod permission_sets;
pub mod section;
pub mod values;

use std::fmt::Write as _;
use std::path::PathBuf;

use toml::Spanned;

use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::iam::{Names, Phase};
use crate::types::Target;
use crate::kinds::{Baseline, Context, Description, IamActions, Kind, ObserveCx, Scope};
use crate::observed::{Boundary, PermissionSetSpec, PrincipalKind, SsoState};
use crate::plan::{Address, Op, Plan, Ref, SsoCall, SsoOp};
use crate::policy::PolicyKind;
use section::{PermissionSetDecl, SsoSection};

pub struct Sso;

/// The roles and SAML provider IAM Identity Center makes in the management account, when
/// an assignment can put a permission set there. Whoever holds these can give themselves
/// the management account (change the SAML provider, the roles' policies): a baseline
/// that assigns nothing there does not get them.
fn identity_center_roles(n: &Names<'_>) -> Vec<String> {
    if n.baseline.is_some_and(|b| !reaches_management_account(b, n.account)) {
        return Vec::new();
    }
    vec![
        format!("arn:aws:iam::{}:role/aws-reserved/sso.amazonaws.com/*", n.account),
        format!("arn:aws:iam::{}:saml-provider/AWSSSO_*", n.account),
    ]
}

/// Whether an assignment could provision a permission set in the management account: a
/// target at the root or in an OU (the management account may sit in one), or an account
/// that is, or may be, the management account (its id; a name not declared with another id).
fn reaches_management_account(b: &super::BaselineFile, management: &str) -> bool {
    let Some(sso) = &b.sso else { return false };
    let declared_elsewhere = |name: &str| {
        b.account.iter().any(|d| {
            let d = d.get_ref();
            d.name.get_ref().as_str() == name && d.id.as_ref().is_some_and(|id| id.get_ref().as_str() != management)
        })
    };
    sso.get_ref()
        .assignment
        .iter()
        .flat_map(|a| a.get_ref().targets.get_ref())
        .any(|t| match t.get_ref() {
            Target::Root | Target::Ou(_) => true,
            Target::Account(x) if x.len() == 12 && x.bytes().all(|c| c.is_ascii_digit()) => x == management,
            Target::Account(name) => !declared_elsewhere(name),
        })
}

impl Kind for Sso {
    const NAME: &'static str = "sso";
    type Section = Option<Spanned<SsoSection>>;
    type Schema = SsoSection;
    type State = SsoState;
    const IAM: IamActions = IamActions {
        plan: &[
            "sso:ListInstances",
            "sso:ListPermissionSets",
            "sso:DescribePermissionSet",
            "sso:ListTagsForResource",
            "sso:ListManagedPoliciesInPermissionSet",
            "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
            "sso:GetInlinePolicyForPermissionSet",
            "sso:GetPermissionsBoundaryForPermissionSet",
            "sso:ListAccountsForProvisionedPermissionSet",
            "sso:ListAccountAssignmentsForPrincipal",
            "identitystore:ListGroups",
            "identitystore:ListUsers",
            "identitystore:GetGroupId",
            "identitystore:GetUserId",
        ],
        apply: &[
            "sso:CreatePermissionSet",
            "sso:TagResource",
            "sso:UpdatePermissionSet",
            "sso:AttachManagedPolicyToPermissionSet",
            "sso:DetachManagedPolicyFromPermissionSet",
            "sso:AttachCustomerManagedPolicyReferenceToPermissionSet",
            "sso:DetachCustomerManagedPolicyReferenceFromPermissionSet",
            "sso:PutInlinePolicyToPermissionSet",
            "sso:DeleteInlinePolicyFromPermissionSet",
            "sso:PutPermissionsBoundaryToPermissionSet",
            "sso:DeletePermissionsBoundaryFromPermissionSet",
            "sso:ProvisionPermissionSet",
            "sso:DescribePermissionSetProvisioningStatus",
            "sso:CreateAccountAssignment",
            "sso:DescribeAccountAssignmentCreationStatus",
            "sso:ListAccountAssignments",
        ],
        delete: &[
            "sso:DeleteAccountAssignment",
            "sso:DescribeAccountAssignmentDeletionStatus",
            "sso:DeletePermissionSet",
        ],
    };
    fn declared(section: &Self::Section) -> bool {
        section.is_some()
    }
    /// IAM Identity Center creates its roles and SAML provider in the management account
    /// with the caller's permissions when it provisions there.
    const SCOPES: &'static [Scope] = &[Scope {
        sid: "PlinthIdentityCenterRoles",
        phase: Phase::Apply,
        actions: &[
            "iam:GetRole",
            "iam:CreateRole",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:DeleteRole",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:ListRolePolicies",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:GetSAMLProvider",
            "iam:CreateSAMLProvider",
            "iam:UpdateSAMLProvider",
        ],
        resources: identity_center_roles,
        condition: None,
    }];

    fn policy_files(section: &Self::Section) -> Vec<(&Spanned<PathBuf>, PolicyKind)> {
        section
            .iter()
            .flat_map(|s| &s.get_ref().permission_set)
            .filter_map(|ps| ps.get_ref().inline_policy_file.as_ref())
            .map(|f| (f, PolicyKind::Identity))
            .collect()
    }

    /// Recommended with or without `[sso]`: people should sign in with short-lived credentials.
    fn console_steps(_: &Baseline, _: &Self::Section) -> Vec<&'static str> {
        vec![
            "IAM Identity Center: enable the organization instance in the home region (IAM Identity Center console > Enable), for people to sign in with short-lived credentials",
        ]
    }

    fn validate(baseline: &Baseline, section: &Self::Section, diags: &mut Diagnostics) {
        if let Some(sso) = section {
            section::check(baseline, sso.get_ref(), diags);
        }
    }

    /// The accounts of the OUs assignments target.
    fn scope(_: &Baseline, section: &Self::Section, scope: &mut ReadScope) {
        if let Some(sso) = section {
            scope.member_ous.extend(observe::targeted_ous(sso.get_ref()));
        }
    }

    fn observe(cx: &ObserveCx<'_>, section: &Self::Section) -> impl std::future::Future<Output = Result<SsoState, Diagnostics>> {
        observe::observe(cx, section)
    }

    /// Each permission set: session, policies, and how many grants it gets.
    fn describe(_: &Baseline, section: &Self::Section, out: &mut Description) {
        let Some(sso) = section else {
            return;
        };
        let sso = sso.get_ref();
        if !sso.permission_set.is_empty() {
            out.text.push('\n');
        }
        for ps in &sso.permission_set {
            let ps = ps.get_ref();
            let grants: usize = sso
                .assignment
                .iter()
                .map(|a| a.get_ref())
                .filter(|a| a.permission_set.get_ref() == ps.name.get_ref())
                .map(|a| (a.groups.len() + a.users.len()) * a.targets.get_ref().len())
                .sum();
            let policies = ps.managed_policies.len() + ps.customer_managed_policies.len();
            let _ = writeln!(
                out.text,
                "IAM Identity Center permission set `{}`: {} session, {policies} managed polic{}{}, {grants} principal × target grant{}.",
                ps.name.get_ref(),
                ps.session_duration(),
                if policies == 1 { "y" } else { "ies" },
                if ps.inline_policy_file.is_some() {
                    ", an inline policy"
                } else {
                    ""
                },
                if grants == 1 { "" } else { "s" }
            );
        }
    }

    /// Every permission set and assignment, principals and targets by name.
    fn import(
        cx: &crate::kinds::ImportCx<'_>,
    ) -> impl std::future::Future<Output = Result<crate::kinds::Imported, Diagnostics>> {
        import::import(cx)
    }

    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
        plan_sso(cx, section, plan)
    }
}

/// A grant: (permission set name, principal kind, principal name, account key).
type Grant = (String, PrincipalKind, String, String);
use crate::kinds::common::placement::Needs;

pub fn address(name: &str) -> Address {
    Address::kind_root(Sso::NAME).named(format_args!("permission_set:{name}"))
}

fn provision_address(name: &str) -> Address {
    address(name).child("provision")
}

/// `account` is a live account id, or the address of the change that creates the account
/// (`account:<name>`).
fn assignment_address(set: &str, kind: PrincipalKind, principal: &str, account: &str) -> Address {
    // Shown as a target: `account:<id>`, or `account:<name>` for one this plan creates.
    let account = account.strip_prefix("account.").unwrap_or(account);
    let account = format!("account:{account}");
    Address::kind_root(Sso::NAME)
        .child(format_args!("assignment:{set} {}:{principal}", kind.as_str()))
        .to(account)
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
        inline_policy: decl
            .inline_policy_file
            .as_ref()
            .and_then(|f| baseline.policy_file(f))
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

fn plan_sso(cx: &Context<'_>, section: &Option<Spanned<SsoSection>>, plan: &mut Plan) -> Result<(), Diagnostics> {
    let Some(section) = section else {
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
    assignments::plan_assignments(cx, section, &op, &set_refs, &declared, plan, diags)?;
    assignments::provisioned_impact(cx, plan);
    Ok(())
}

#[cfg(test)]
mod tests;
