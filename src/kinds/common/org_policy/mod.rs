//! Organization policies of every type (SCPs, RCPs, AI opt-out, tag and EC2 declarative
//! policies): one engine, each type's rules from `types::policy_types`. A policy kind
//! derives its [`Desired`] documents from its section and hands them here to be checked
//! before any call ([`validate`]), shown ([`describe`]) and planned ([`plan()`]); a kind of
//! one type does it through [`kind`], saying only what sets it apart ([`OrgPolicyKind`]).

mod attach;
mod detach;
mod document;
mod enable;
pub mod import;
pub mod kind;
mod plan;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::ops::Range;

use serde_json::Value;
use toml::Spanned;

pub use self::import::{Importer, Recognised};
pub use self::kind::{CustomPolicy, CustomSchema, CustomTable, OrgPolicyKind};
pub use self::plan::{Setup, plan};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::kinds::Baseline;
use crate::plan::Address;
use crate::policy::minify;
use crate::types::Target;
use crate::types::policy_types::{PolicyType, Syntax};

/// What managing a policy type takes, whatever the type.
pub const IAM: crate::kinds::IamActions = crate::kinds::IamActions {
    plan: &[
        "organizations:ListPolicies",
        "organizations:DescribePolicy",
        "organizations:ListTagsForResource",
        "organizations:ListTargetsForPolicy",
        "organizations:ListPoliciesForTarget",
    ],
    apply: &[
        "organizations:EnablePolicyType",
        "organizations:CreatePolicy",
        "organizations:UpdatePolicy",
        "organizations:AttachPolicy",
        "organizations:TagResource",
    ],
    delete: &["organizations:DetachPolicy", "organizations:DeletePolicy"],
};

/// A policy the baseline wants, ready to compare with what is live.
#[derive(Debug, Clone)]
pub struct Desired {
    /// The kind that declares it (the first part of its address).
    pub kind: &'static str,
    /// Plan address below the kind: `region_deny`, `custom.deny-iam-users`.
    pub key: String,
    /// The policy's name in AWS.
    pub name: String,
    pub description: String,
    pub document: Value,
    /// Minified document, what plinth sends to AWS.
    pub content: String,
    pub attach: Vec<Spanned<Target>>,
    /// Where the policy is declared, for diagnostics.
    pub span: Range<usize>,
}

impl Desired {
    pub fn new(
        kind: &'static str,
        key: impl Into<String>,
        name: impl Into<String>,
        description: impl Into<String>,
        document: Value,
        attach: &[Spanned<Target>],
        span: Range<usize>,
    ) -> Desired {
        Desired {
            kind,
            key: key.into(),
            name: name.into(),
            description: description.into(),
            content: minify(&document),
            document,
            attach: attach.to_vec(),
            span,
        }
    }

    pub fn address(&self) -> Address {
        Address::new(self.kind, format!("{}.{}", self.kind, self.key))
    }
}

/// One of the user's own policies, from a JSON file (`[[scp.custom]]`, `[[tag_policy]]`,
/// `[[management_policy]]`), as its table holds it.
pub struct FromFile<'a> {
    pub name: &'a Spanned<crate::types::PolicyName>,
    pub file: &'a Spanned<std::path::PathBuf>,
    pub description: Option<&'a String>,
    pub attach: &'a [Spanned<Target>],
    /// The whole table entry, for errors about the policy.
    pub span: Range<usize>,
}

impl FromFile<'_> {
    /// The policy as planned, at `<kind>.<key prefix>.<name>` (or `<kind>.<name>`); `None`
    /// when its file did not load (the loader reported it, so a loaded baseline has them all).
    pub fn desired(
        &self,
        baseline: &crate::kinds::Baseline,
        kind: &'static str,
        prefix: Option<&str>,
    ) -> Option<Desired> {
        let file = baseline.policy_file(self.file)?;
        let name = self.name.get_ref().to_string();
        let description = self
            .description
            .cloned()
            .unwrap_or_else(|| format!("Managed by plinth: {}", self.file.get_ref().display()));
        Some(Desired::new(
            kind,
            prefix.map_or_else(|| name.clone(), |p| format!("{p}.{name}")),
            name,
            description,
            file.document.clone(),
            self.attach,
            self.span.clone(),
        ))
    }
}

/// What AWS would reject, checked on the baseline alone: each document's size, a target
/// listed twice, more policies of the type on one target than AWS allows (the limits
/// plinth knows, or the baseline's `[limits]`).
pub fn validate(baseline: &Baseline, policy_type: PolicyType, desired: &[Desired], diags: &mut Diagnostics) {
    let src = &baseline.source;
    let rules = policy_type.rules();
    let noun = rules.noun;
    let (size_limit, count_limit) = (
        baseline.limits().characters(policy_type),
        baseline.limits().per_target(policy_type),
    );
    let max = count_limit.value;
    let mut per_target: BTreeMap<&Target, Vec<&str>> = BTreeMap::new();
    for p in desired {
        let size = rules.size_of(&p.content);
        if size > size_limit.value {
            diags.push(
                Diagnostic::error(format!(
                    "{noun} `{}` is {size} {} minified; {}",
                    p.name,
                    rules.unit(),
                    size_limit.allows()
                ))
                .at(src, p.span.clone())
                .hint(match rules.syntax {
                    Syntax::Iam => {
                        "split it into two policies, or use wildcards such as `ec2:Describe*` to shorten action lists"
                    }
                    Syntax::Management { .. } => {
                        "split it into two policies of the same type; attached to the same target, they are merged"
                    }
                }),
            );
        }
        let mut seen = HashMap::new();
        for t in &p.attach {
            if seen.insert(t.get_ref().clone(), ()).is_some() {
                diags.push(
                    Diagnostic::error(format!(
                        "`{}` is listed twice in `attach` of `{}`",
                        t.get_ref(),
                        p.address()
                    ))
                    .at(src, t.span()),
                );
                continue;
            }
            let list = per_target.entry(t.get_ref()).or_default();
            list.push(&p.name);
            // AWS's default policy counts where it can never be detached (RCPFullAWSAccess);
            // FullAWSAccess may have been, so the plan counts it from what is live.
            let own = usize::from(rules.aws_default.is_some() && !rules.default_detachable);
            if list.len() + own == max + 1 {
                let default = match rules.aws_default {
                    Some(d) if rules.default_detachable => format!(", `{d}` included where it is attached"),
                    Some(d) => format!(", `{d}` included"),
                    None => String::new(),
                };
                diags.push(
                    Diagnostic::error(format!(
                        "`{}` would carry more than {max} {}",
                        t.get_ref(),
                        rules.nouns()
                    ))
                    .at(src, t.span())
                    .cause(format!("the baseline alone attaches {} to it", list.join(", ")))
                    .hint(format!(
                        "{} {} per root, OU or account{default}; merge policies{}",
                        count_limit.allows(),
                        rules.nouns(),
                        match t.get_ref() {
                            Target::Root => "",
                            _ => " or attach some to a parent OU",
                        }
                    )),
                );
            }
        }
    }
}

/// What `plinth validate` shows: each document as plinth will send it, its size (against
/// the limit plinth enforces) and targets.
pub fn describe(baseline: &Baseline, policy_type: PolicyType, desired: &[Desired], out: &mut String) {
    let max_size = baseline.limits().characters(policy_type).value;
    let rules = policy_type.rules();
    for d in desired {
        let targets: Vec<String> = d.attach.iter().map(|t| t.get_ref().to_string()).collect();
        let _ = writeln!(
            out,
            "\n{} (`{}`, {} of {} {}), attached to {}:",
            d.address(),
            d.name,
            rules.size_of(&d.content),
            max_size,
            rules.unit(),
            targets.join(", ")
        );
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&d.document).unwrap_or_default());
    }
}

/// Names used twice among a kind's policies: AWS names are unique per organization.
pub fn duplicate_names<'a>(
    src: &SourceFile,
    noun: &str,
    names: impl IntoIterator<Item = &'a Spanned<crate::types::PolicyName>>,
    diags: &mut Diagnostics,
) {
    let mut seen = HashMap::new();
    for name in names {
        if let Some(first) = seen.insert(name.get_ref().clone(), name.span()) {
            let (line, _) = src.line_col(first.start);
            diags.push(
                Diagnostic::error(format!("{noun} name `{}` is used twice", name.get_ref()))
                    .at(src, name.span())
                    .hint(format!(
                        "it is first used on line {line}; policy names are unique in an organization"
                    )),
            );
        }
    }
}

/// The names a policy of a kind whose addresses are `<kind>.<name>` (`[[tag_policy]]`,
/// `[[management_policy]]`) cannot take: the parts of the kind's own addresses. A policy
/// named `policy_type` would share the address of the change that enables the type.
pub const RESERVED: &[&str] = &["policy_type", "trusted_access", "orphan"];

/// Each name that is [`RESERVED`] or starts like an orphan's address (`orphan.`), as an
/// error at its place.
pub fn reserved_names<'a>(
    src: &SourceFile,
    noun: &str,
    names: impl IntoIterator<Item = &'a Spanned<crate::types::PolicyName>>,
    diags: &mut Diagnostics,
) {
    for name in names {
        let n = name.get_ref().as_str();
        if RESERVED.contains(&n) || n.starts_with("orphan.") {
            diags.push(
                Diagnostic::error(format!("{noun} name `{n}` is reserved"))
                    .at(src, name.span())
                    .cause(format!(
                        "plinth's own changes of the kind are addressed by {}",
                        RESERVED.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
                    ))
                    .hint("choose another name"),
            );
        }
    }
}

/// What a policy kind needs read: its names (their content and targets). What its
/// targets carry besides is read only where a decision needs it (`plan::Need`).
pub fn scope(scope: &mut crate::aws::organizations::ReadScope, policy_type: PolicyType, desired: &[Desired]) {
    let entry = scope.policies.entry(policy_type).or_default();
    entry.names.extend(desired.iter().map(|d| d.name.clone()));
    // The accounts under each OU target, for the plan's impact (the root's are all listed).
    for d in desired {
        for t in &d.attach {
            if let crate::types::Target::Ou(path) = t.get_ref()
                && !scope.member_ous.contains(path)
            {
                scope.member_ous.push(path.clone());
            }
        }
    }
}
