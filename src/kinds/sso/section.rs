//! `[sso]`: IAM Identity Center permission sets and who gets them where.
//!
//! Values are checked while parsing (names, ARNs, session durations); the checks that
//! look across entries (duplicates, unknown permission sets, the managed-policy quota,
//! the inline policy's size) are in [`check`]. Group and user names can only be checked
//! against the identity store, so the plan reports unknown ones.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use super::values::*;
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::kinds::{Baseline, Targets};
use crate::types::Target;

/// AWS's quota on managed policies (AWS managed and customer managed together) per
/// permission set.
pub const MAX_MANAGED_POLICIES: usize = 10;
/// AWS's limit on a permission set's inline policy, in characters.
pub const MAX_INLINE_POLICY_SIZE: usize = 32_768;

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoSection {
    #[serde(default)]
    #[schemars(with = "Vec<PermissionSetDecl>")]
    pub permission_set: Vec<Spanned<PermissionSetDecl>>,
    #[serde(default)]
    #[schemars(with = "Vec<AssignmentDecl>")]
    pub assignment: Vec<Spanned<AssignmentDecl>>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionSetDecl {
    #[schemars(with = "PermissionSetName")]
    pub name: Spanned<PermissionSetName>,
    #[schemars(with = "Option<Description>")]
    pub description: Option<Spanned<Description>>,
    /// ISO-8601, `PT1H` to `PT12H`; AWS's default `PT1H` when absent.
    #[schemars(with = "Option<SessionDuration>")]
    pub session_duration: Option<Spanned<SessionDuration>>,
    #[serde(default)]
    #[schemars(with = "Vec<ManagedPolicyArn>")]
    pub managed_policies: Vec<Spanned<ManagedPolicyArn>>,
    #[serde(default)]
    #[schemars(with = "Vec<CustomerManagedPolicy>")]
    pub customer_managed_policies: Vec<Spanned<CustomerManagedPolicy>>,
    /// Relative to the baseline file.
    #[schemars(with = "Option<PathBuf>")]
    pub inline_policy_file: Option<Spanned<PathBuf>>,
    #[schemars(with = "Option<PermissionsBoundary>")]
    pub permissions_boundary: Option<Spanned<PermissionsBoundary>>,
    #[schemars(with = "Option<RelayState>")]
    pub relay_state: Option<Spanned<RelayState>>,
}

impl PermissionSetDecl {
    pub fn session_duration(&self) -> SessionDuration {
        self.session_duration
            .as_ref()
            .map_or_else(SessionDuration::default_one_hour, |s| s.get_ref().clone())
    }
}

/// A reference to a customer managed policy, by name and path, that must exist in each
/// account the permission set is provisioned to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerManagedPolicy {
    pub name: IamPolicyName,
    #[serde(default = "IamPath::root")]
    pub path: IamPath,
}

impl fmt::Display for CustomerManagedPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.path, self.name)
    }
}

/// `{ managed_policy_arn = "…" }` or `{ name = "…", path = "/" }`; [`check`] makes sure it
/// is exactly one of the two.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionsBoundary {
    #[schemars(with = "Option<ManagedPolicyArn>")]
    pub managed_policy_arn: Option<Spanned<ManagedPolicyArn>>,
    #[schemars(with = "Option<IamPolicyName>")]
    pub name: Option<Spanned<IamPolicyName>>,
    #[schemars(with = "Option<IamPath>")]
    pub path: Option<Spanned<IamPath>>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentDecl {
    #[schemars(with = "PermissionSetName")]
    pub permission_set: Spanned<PermissionSetName>,
    /// Group display names, as the identity store has them.
    #[serde(default)]
    #[schemars(with = "Vec<PrincipalName>")]
    pub groups: Vec<Spanned<PrincipalName>>,
    /// User names, as the identity store has them.
    #[serde(default)]
    #[schemars(with = "Vec<PrincipalName>")]
    pub users: Vec<Spanned<PrincipalName>>,
    /// `root`, `ou:<path>` (every account in it and below) or `account:<id or name>`.
    #[schemars(with = "Vec<Target>")]
    pub targets: Targets,
}

/// The checks across `[sso]` entries: each permission set's, then each assignment's.
pub fn check(baseline: &Baseline, sso: &SsoSection, diags: &mut Diagnostics) {
    let src = &baseline.source;
    let mut names: HashMap<&PermissionSetName, std::ops::Range<usize>> = HashMap::new();
    for ps in &sso.permission_set {
        let ps = ps.get_ref();
        if let Some(first) = names.insert(ps.name.get_ref(), ps.name.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("permission set `{}` is declared twice", ps.name.get_ref()))
                    .at(src, ps.name.span())
                    .hint(format!(
                        "it is first declared on line {line}; permission set names are unique"
                    )),
            );
        }
        check_managed_policies(src, ps, diags);
        check_boundary(src, ps, diags);
        check_inline_policy(baseline, ps, diags);
    }

    let mut seen_grants = HashMap::new();
    for a in &sso.assignment {
        check_assignment(src, a.get_ref(), &names, diags);
        check_repeated_grants(src, a.get_ref(), &mut seen_grants, diags);
    }
}

/// A permission set's managed policies: AWS's quota on both kinds together, and each
/// listed once.
fn check_managed_policies(src: &SourceFile, ps: &PermissionSetDecl, diags: &mut Diagnostics) {
    let total = ps.managed_policies.len() + ps.customer_managed_policies.len();
    if total > MAX_MANAGED_POLICIES {
        let at = ps
            .managed_policies
            .iter()
            .map(Spanned::span)
            .chain(ps.customer_managed_policies.iter().map(Spanned::span))
            .nth(MAX_MANAGED_POLICIES)
            .unwrap_or(ps.name.span());
        diags.push(
            Diagnostic::error(format!(
                "permission set `{}` has {total} managed policies; AWS allows {MAX_MANAGED_POLICIES}",
                ps.name.get_ref()
            ))
            .at(src, at)
            .cause("AWS managed and customer managed policies count together")
            .hint(
                "move permissions into the inline policy or a customer managed policy, or split the permission set",
            ),
        );
    }
    let mut seen = HashMap::new();
    for arn in &ps.managed_policies {
        if seen.insert(arn.get_ref().as_str(), ()).is_some() {
            diags.push(
                Diagnostic::error(format!("`{}` is listed twice in `managed_policies`", arn.get_ref()))
                    .at(src, arn.span()),
            );
        }
    }
    let mut seen = HashMap::new();
    for cmp in &ps.customer_managed_policies {
        if seen.insert(cmp.get_ref().to_string(), ()).is_some() {
            diags.push(
                Diagnostic::error(format!("customer managed policy `{}` is listed twice", cmp.get_ref()))
                    .at(src, cmp.span()),
            );
        }
    }
}

/// A permissions boundary is exactly one of an AWS managed policy (without a path) or a
/// customer managed policy.
fn check_boundary(src: &SourceFile, ps: &PermissionSetDecl, diags: &mut Diagnostics) {
    let Some(b) = &ps.permissions_boundary else {
        return;
    };
    let bd = b.get_ref();
    match (&bd.managed_policy_arn, &bd.name) {
        (Some(_), None) if bd.path.is_none() => {}
        (None, Some(_)) => {}
        _ => diags.push(
            Diagnostic::error("a permissions boundary is either an AWS managed policy or a customer managed policy")
                .at(src, b.span())
                .hint("write `{ managed_policy_arn = \"arn:aws:iam::aws:policy/…\" }` or `{ name = \"…\", path = \"/\" }`"),
        ),
    }
}

/// The inline policy, minified, within AWS's limit on its size.
fn check_inline_policy(baseline: &Baseline, ps: &PermissionSetDecl, diags: &mut Diagnostics) {
    if let (Some(file), Some(policy)) = (
        &ps.inline_policy_file,
        ps.inline_policy_file.as_ref().and_then(|f| baseline.policy_file(f)),
    ) {
        let size = crate::policy::minify(&policy.document).chars().count();
        if size > MAX_INLINE_POLICY_SIZE {
            diags.push(
                Diagnostic::error(format!(
                    "the inline policy of `{}` is {size} characters minified; AWS allows {MAX_INLINE_POLICY_SIZE}",
                    ps.name.get_ref()
                ))
                .at(&baseline.source, file.span())
                .hint("move permissions into managed policies, or use wildcards to shorten action lists"),
            );
        }
    }
}

/// An assignment names a declared permission set (else the closest name is suggested), at
/// least one group or user, and at least one target.
fn check_assignment(
    src: &SourceFile,
    a: &AssignmentDecl,
    names: &HashMap<&PermissionSetName, std::ops::Range<usize>>,
    diags: &mut Diagnostics,
) {
    let set = a.permission_set.get_ref();
    if !names.contains_key(set) {
        let suggestion = names
            .keys()
            .map(|n| (strsim::jaro_winkler(n.as_str(), set.as_str()), n))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| format!("did you mean `{n}`?"));
        diags.push(
            Diagnostic::error(format!("unknown permission set `{set}`"))
                .at(src, a.permission_set.span())
                .hint(suggestion.unwrap_or_else(|| {
                    "assignments name a permission set declared in `[[sso.permission_set]]`".into()
                })),
        );
    }
    if a.groups.is_empty() && a.users.is_empty() {
        diags.push(
            Diagnostic::error(format!("the assignment of `{set}` names no group and no user"))
                .at(src, a.permission_set.span())
                .hint("add `groups = [\"…\"]` or `users = [\"…\"]`"),
        );
    }
    if a.targets.get_ref().is_empty() {
        diags.push(
            Diagnostic::error(format!("the assignment of `{set}` has no targets"))
                .at(src, a.targets.span())
                .hint("list `root`, `ou:<path>` or `account:<id or name>`"),
        );
    }
}

/// A grant (set, principal, target) given twice, in this assignment or an earlier one
/// (`seen`, each grant's first principal span).
fn check_repeated_grants(
    src: &SourceFile,
    a: &AssignmentDecl,
    seen: &mut HashMap<(PermissionSetName, &'static str, PrincipalName, Target), std::ops::Range<usize>>,
    diags: &mut Diagnostics,
) {
    let set = a.permission_set.get_ref();
    for (kind, list) in [("group", &a.groups), ("user", &a.users)] {
        for p in list {
            for t in a.targets.get_ref() {
                let key = (set.clone(), kind, p.get_ref().clone(), t.get_ref().clone());
                if let Some(first) = seen.insert(key, p.span()) {
                    let (line, _) = src.line_col(first.start);
                    diags.push(
                        Diagnostic::error(format!(
                            "{kind} `{}` gets `{set}` on `{}` twice",
                            p.get_ref(),
                            t.get_ref()
                        ))
                        .at(src, p.span())
                        .hint(format!("it is first granted on line {line}; remove one")),
                    );
                }
            }
        }
    }
}
