//! The registry of resource kinds. A kind is one module under `src/kinds/` that
//! implements [`Kind`]: its baseline section, what it reads through the adapters, how it
//! plans, the policy files it reads and the checks its section needs. The [`registry!`]
//! line below is the only place that lists the kinds: it makes the baseline file's shape
//! ([`BaselineFile`]), the observed state ([`Observed`]) and the loops that load,
//! validate, observe and plan every kind. Nothing outside `src/kinds/` names a kind.
//!
//! Adding a kind: see ARCHITECTURE.md, "Adding a kind".

pub mod common;
pub mod cross;
mod files;
pub mod iam;
pub mod id;
pub mod import;
pub mod limits;
mod organization;
// Each kind's module is declared by its `registry!` line, below.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::aws::clients::Clients;
use crate::aws::organizations::ReadScope;
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::observed::OrgState;
use crate::plan::{Plan, PlanOptions};
use crate::policy::PolicyKind;
use crate::types::{AccountId, Region, Target};
pub use files::read_policy_files;
pub use iam::{Condition, IamActions, Names, Phase, Scope};
pub use import::{ImportCx, Imported};
pub use organization::OrganizationSection;

/// One kind of resource plinth manages.
pub trait Kind {
    /// Its one name: the baseline section, the first part of its addresses, its
    /// `--repair` value and its `kind` in JSON plans. The registry line must use it.
    const NAME: &'static str;
    /// The kind whose `--repair` value also repairs this one (OUs exist to carry SCPs).
    const REPAIRED_WITH: Option<&'static str> = None;
    /// A guardrail: repairing it only puts a control back (an organization policy, the
    /// trail, an alarm), never grants access, moves an account or touches a root user.
    /// `reconcile --repair guardrails`, the default, repairs exactly these kinds.
    const GUARDRAIL: bool = false;
    /// Its section of the baseline file: `Option<Spanned<…>>`, a `Vec` of tables, or a
    /// table that defaults to empty.
    type Section: DeserializeOwned + Default + Clone + fmt::Debug;
    /// The section's shape for the JSON Schema: `Section` without spans or the `Option`
    /// (`TrailSection` for `Option<Spanned<TrailSection>>`).
    type Schema: schemars::JsonSchema;
    /// What it reads from AWS beyond the organization's structure; `()` for nothing.
    type State: Default + Clone + fmt::Debug + PartialEq + Serialize + Send + Sync;

    /// The IAM actions it needs, for the least-privilege policies in `deploy/iam/`.
    const IAM: IamActions = IamActions::NONE;
    /// The resources its writes are limited to, where plinth knows them ([`iam`]).
    const SCOPES: &'static [Scope] = &[];
    /// Whether the baseline declares anything of this kind. When it does not, a
    /// baseline's IAM policy (`plinth iam-policy -f`) keeps only the kind's reads and
    /// deletes (to clean up what plinth made before), not its other writes.
    fn declared(_section: &Self::Section) -> bool {
        true
    }
    /// Policy files its section names, read and parsed while the baseline loads.
    fn policy_files(_section: &Self::Section) -> Vec<(&Spanned<PathBuf>, PolicyKind)> {
        Vec::new()
    }
    /// Checks across values, before any AWS call. Like every hook, it is handed its own
    /// section; another kind's is read only through [`cross`].
    fn validate(_baseline: &Baseline, _section: &Self::Section, _diags: &mut Diagnostics) {}
    /// What it needs from the one read of the organization (accounts, OUs, SCPs).
    fn scope(_baseline: &Baseline, _section: &Self::Section, _scope: &mut ReadScope) {}
    /// Read its live state through the adapters.
    fn observe(
        _cx: &ObserveCx<'_>,
        _section: &Self::Section,
    ) -> impl Future<Output = Result<Self::State, Diagnostics>> {
        async { Ok(Self::State::default()) }
    }
    /// Read what it needs per account, once the organization's structure is read (`org`
    /// lists every account); runs after `observe`, beside the other kinds' per-account reads.
    /// Most kinds need none.
    fn observe_accounts(
        _cx: &ObserveCx<'_>,
        _section: &Self::Section,
        _org: &OrgState,
        _state: &mut Self::State,
    ) -> impl Future<Output = Result<(), Diagnostics>> {
        async { Ok(()) }
    }
    /// Steps only the console can do (there is no API), for `plinth bootstrap`'s checklist.
    fn console_steps(_baseline: &Baseline, _section: &Self::Section) -> Vec<&'static str> {
        Vec::new()
    }
    /// What `plinth validate` says about its section: warnings, and lines for people.
    fn describe(_baseline: &Baseline, _section: &Self::Section, _out: &mut Description) {}
    /// Add its changes, orphans, warnings and notes to the plan; kinds earlier in the
    /// registry have planned already (their changes can be depended on).
    fn plan(cx: &Context<'_>, section: &Self::Section, plan: &mut Plan) -> Result<(), Diagnostics>;
    /// For `plinth import`: its section describing what is live, read through the
    /// adapters (the organization is read already), and what it left out.
    fn import(_cx: &ImportCx<'_>) -> impl Future<Output = Result<Imported, Diagnostics>> {
        async { Ok(Imported::default()) }
    }
}

/// What `plinth validate` prints of a baseline, kind by kind.
#[derive(Debug, Default)]
pub struct Description {
    pub warnings: Vec<String>,
    pub text: String,
}

/// What every planner sees: the baseline, the live state, the run's options.
pub struct Context<'a> {
    pub baseline: &'a Baseline,
    pub observed: &'a Observed,
    pub options: PlanOptions,
}

/// What every kind's read sees. (Not the organization's structure: the kinds read while
/// it is read, so a plan takes as long as the slower of the two, not their sum.)
pub struct ObserveCx<'a> {
    pub clients: &'a Clients,
    pub baseline: &'a Baseline,
    /// The management account: plinth's own resources (topics, trail bucket) live there.
    pub account: &'a str,
    /// The kinds whose per-account reads (`Kind::observe_accounts`) this run makes; `None`
    /// for all. `reconcile --repair` names the kinds it repairs, so a frequent pass skips
    /// the costly per-account reads of the kinds a rarer pass repairs.
    pub account_reads: Option<&'a BTreeSet<KindId>>,
}

impl ObserveCx<'_> {
    /// Whether this run makes `kind`'s per-account reads.
    pub fn reads_accounts(&self, kind: KindId) -> bool {
        self.account_reads.is_none_or(|kinds| kinds.contains(&kind))
    }
}

/// Where a section attaches something: `root`, `ou:<path>`, `account:<id or name>`.
pub type Targets = Spanned<Vec<Spanned<Target>>>;

/// A policy file, read and parsed.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    pub source: SourceFile,
    pub document: serde_json::Value,
}

/// A loaded and validated baseline.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub source: SourceFile,
    pub file: BaselineFile,
    /// Every policy file the sections name, by the path as written in the baseline.
    pub policy_files: BTreeMap<PathBuf, PolicyFile>,
}

impl Baseline {
    pub fn management_account_id(&self) -> &AccountId {
        self.file.organization.management_account_id.get_ref()
    }
    pub fn home_region(&self) -> &Region {
        self.file.organization.home_region.get_ref()
    }
    /// The role plinth assumes in member accounts (`[organization] member_role`).
    pub fn member_role(&self) -> &str {
        self.file
            .organization
            .member_role
            .as_ref()
            .map_or(crate::aws::member::DEFAULT_ROLE, |r| r.get_ref().as_str())
    }
    /// The external id for the member role, if the baseline gives one.
    pub fn member_external_id(&self) -> Option<String> {
        let id = self.file.organization.member_external_id.as_ref()?;
        Some(id.get_ref().as_str().to_owned())
    }
    /// The policy limits plinth enforces: AWS's as plinth knows them, or the baseline's
    /// `[limits]`.
    pub fn limits(&self) -> &limits::LimitsSection {
        &self.file.limits
    }
    /// A policy file a section names (read while loading).
    pub fn policy_file(&self, path: &Spanned<PathBuf>) -> Option<&PolicyFile> {
        self.policy_files.get(path.get_ref())
    }
}

/// Whether two names are equal, at compile time (the registry checks each line).
pub const fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// TOML has no null: an optional key is absent, never `null`. Drops the `null` that
/// schemars allows for `Option` fields.
fn without_null(schema: &mut serde_json::Value) {
    use serde_json::Value;
    match schema {
        Value::Object(map) => {
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any)) = map.get_mut("anyOf") {
                any.retain(|s| s.get("type").is_none_or(|t| t != "null"));
                if any.len() == 1 {
                    let only = any.remove(0);
                    map.remove("anyOf");
                    if let Value::Object(inner) = only {
                        map.extend(inner);
                    }
                }
            }
            map.values_mut().for_each(without_null);
        }
        Value::Array(items) => items.iter_mut().for_each(without_null),
        _ => {}
    }
}

/// Builds everything that lists the kinds from one line per kind. The order is the
/// planning order: a kind may depend on changes of kinds above it.
macro_rules! registry {
    ($( $(#[doc = $doc:literal])* $name:ident : $module:ident :: $variant:ident ),* $(,)?) => {
        // A kind's module is named as its line: `src/kinds/<name>.rs` or `<name>/mod.rs`.
        $( pub mod $name; )*

        /// The baseline file: `[organization]` and one section per kind.
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct BaselineFile {
            pub organization: OrganizationSection,
            /// `[limits]`: policy limits plinth enforces other than those it knows.
            #[serde(default)]
            pub limits: limits::LimitsSection,
            $( $(#[doc = $doc])* #[serde(default)] pub $name: <$module::$variant as Kind>::Section, )*
        }

        /// Everything the plan needs to know about the live organization: its structure,
        /// and each kind's own state.
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        pub struct Observed {
            pub org: OrgState,
            $( pub $name: <$module::$variant as Kind>::State, )*
        }

        $( const _: () = assert!(
            same_name(<$module::$variant as Kind>::NAME, stringify!($name)),
            concat!("the registry line `", stringify!($name), "` must use the kind's NAME")
        ); )*

        /// Every kind's name, in planning order.
        pub const NAMES: &[&str] = &[$( <$module::$variant as Kind>::NAME ),*];

        /// A kind of the registry, typed: what `--repair`, `--only` and the per-account
        /// reads name, checked where it is read ([`id`]). Printed as its name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum KindId {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl KindId {
            /// Every kind, in planning order.
            pub const ALL: &'static [KindId] = &[$( KindId::$variant ),*];

            /// Its [`Kind::NAME`].
            pub const fn name(self) -> &'static str {
                match self {
                    $( KindId::$variant => <$module::$variant as Kind>::NAME, )*
                }
            }

            /// The name of the kind whose `--repair` value repairs it ([`Kind::REPAIRED_WITH`]).
            const fn repaired_with_name(self) -> &'static str {
                match self {
                    $( KindId::$variant => match <$module::$variant as Kind>::REPAIRED_WITH {
                        Some(name) => name,
                        None => <$module::$variant as Kind>::NAME,
                    }, )*
                }
            }

            /// Whether it is a guardrail ([`Kind::GUARDRAIL`]).
            pub const fn guardrail(self) -> bool {
                match self {
                    $( KindId::$variant => <$module::$variant as Kind>::GUARDRAIL, )*
                }
            }
        }

        /// Every kind's IAM declarations ([`Kind::IAM`], [`Kind::SCOPES`]), in planning order.
        pub fn iam() -> Vec<iam::KindIam> {
            vec![$( iam::KindIam {
                kind: <$module::$variant as Kind>::NAME,
                repaired_with: KindId::$variant.repaired_with(),
                actions: <$module::$variant as Kind>::IAM,
                scopes: <$module::$variant as Kind>::SCOPES,
                declared: |file: &BaselineFile| <$module::$variant as Kind>::declared(&file.$name),
            } ),*]
        }

        /// The policy files every section names.
        pub fn policy_files(file: &BaselineFile) -> Vec<(&Spanned<PathBuf>, PolicyKind)> {
            let mut out = Vec::new();
            $( out.extend(<$module::$variant as Kind>::policy_files(&file.$name)); )*
            out
        }

        /// Every kind's checks.
        pub fn validate(baseline: &Baseline) -> Result<(), Diagnostics> {
            let mut diags = Diagnostics::default();
            $( <$module::$variant as Kind>::validate(baseline, &baseline.file.$name, &mut diags); )*
            diags.into_result(())
        }

        /// The baseline file's JSON Schema (draft 2020-12), from the section types: what
        /// `plinth schema` prints, for editors (Taplo, Even Better TOML) to complete keys
        /// and flag mistakes as the user types.
        pub fn schema() -> serde_json::Value {
            let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
            let mut properties = serde_json::Map::new();
            let mut organization = generator.subschema_for::<OrganizationSection>().to_value();
            organization["description"] = "Which organization this baseline is for.".into();
            properties.insert("organization".into(), organization);
            let mut limits = generator.subschema_for::<limits::LimitsSection>().to_value();
            limits["description"] = "Policy limits plinth enforces other than the AWS figures it knows: `<type>_characters` and `<type>_per_target`; each one set is a warning.".into();
            properties.insert("limits".into(), limits);
            $( {
                let mut section = generator.subschema_for::<<$module::$variant as Kind>::Schema>().to_value();
                let doc: &str = concat!($($doc, "\n"),*).trim();
                if let Some(object) = section.as_object_mut() {
                    object.insert("description".into(), doc.into());
                }
                properties.insert(stringify!($name).into(), section);
            } )*
            let mut schema = serde_json::json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "title": "plinth baseline",
                "description": "The one TOML file that declares what an AWS organization must look like.",
                "type": "object",
                "additionalProperties": false,
                "required": ["organization"],
                "properties": properties,
                "$defs": generator.take_definitions(true),
            });
            without_null(&mut schema);
            schema
        }

        /// What `plinth validate` says of every kind, in registry order.
        pub fn describe(baseline: &Baseline) -> Description {
            let mut out = Description::default();
            out.warnings.extend(baseline.limits().warnings(&baseline.source));
            out.warnings.extend(common::placement::near_misses(baseline));
            if let Some(line) = baseline.limits().describe() {
                out.text.push_str(&line);
                out.text.push('\n');
            }
            $( <$module::$variant as Kind>::describe(baseline, &baseline.file.$name, &mut out); )*
            out
        }

        /// Every kind's console-only steps, in registry order.
        pub fn console_steps(baseline: &Baseline) -> Vec<&'static str> {
            let mut out = Vec::new();
            $( out.extend(<$module::$variant as Kind>::console_steps(baseline, &baseline.file.$name)); )*
            out
        }

        /// What the organization read must cover for every kind.
        pub fn scope(baseline: &Baseline) -> ReadScope {
            let mut scope = ReadScope::default();
            $( <$module::$variant as Kind>::scope(baseline, &baseline.file.$name, &mut scope); )*
            scope
        }

        /// Read every kind's state, kind after kind, while `org` reads the organization's
        /// structure. (All kinds at once made the converged plan of 5,000 accounts slower
        /// on the emulator, 75.6 s to 118.7 s, while the one at 1,000 gained 2 s; kept as
        /// it was until that is understood.) A kind whose read fails does not stop the
        /// others: every failure is reported together.
        pub async fn observe(
            cx: &ObserveCx<'_>,
            org: impl Future<Output = Result<OrgState, Diagnostics>>,
        ) -> Result<Observed, Diagnostics> {
            let kinds = async {
                // Boxed: these futures are large, and a deep call chain holds them all.
                $( let $name = Box::pin(<$module::$variant as Kind>::observe(cx, &cx.baseline.file.$name)).await; )*
                ($($name,)*)
            };
            let (org, ($($name,)*)) = futures::join!(Box::pin(org), kinds);
            // Every read that failed, the organization's first, then the kinds' in registry
            // order.
            let mut failed = Diagnostics::default();
            if let Err(d) = &org {
                failed.0.extend(d.0.iter().cloned());
            }
            $( if let Err(d) = &$name {
                failed.0.extend(d.0.iter().cloned());
            } )*
            if !failed.is_empty() {
                return Err(failed);
            }
            let org = org?;
            $( let mut $name = $name?; )*
            // What kinds read per account needs the accounts: after the structure, all at once.
            futures::try_join!($( Box::pin(async {
                match cx.reads_accounts(KindId::$variant) {
                    true => <$module::$variant as Kind>::observe_accounts(cx, &cx.baseline.file.$name, &org, &mut $name).await,
                    false => Ok(()),
                }
            }), )*)?;
            Ok(Observed { org, $($name,)* })
        }

        /// Every kind's part of an imported baseline, in registry order: all kinds, or
        /// those `only` names.
        pub async fn import(cx: &ImportCx<'_>, only: &[KindId]) -> Result<Vec<(&'static str, Imported)>, Diagnostics> {
            let mut out = Vec::new();
            $( if only.is_empty() || only.contains(&KindId::$variant) {
                out.push((<$module::$variant as Kind>::NAME, Box::pin(<$module::$variant as Kind>::import(cx)).await?));
            } )*
            Ok(out)
        }

        /// The plan: a pure function of the baseline and the observed state; no AWS
        /// call, no I/O. Every kind plans, in registry order; all their errors are kept.
        pub fn compute(baseline: &Baseline, observed: &Observed, options: PlanOptions) -> Result<Plan, Diagnostics> {
            let cx = Context { baseline, observed, options };
            let mut plan = Plan::default();
            plan.warnings.extend(baseline.limits().warnings(&baseline.source));
            let mut diags = Diagnostics::default();
            let mut left_out = BTreeSet::new();
            $( {
                let before = plan.changes.len();
                if let Err(d) = <$module::$variant as Kind>::plan(&cx, &baseline.file.$name, &mut plan) {
                    match d.0.iter().all(|d| d.blocks.is_some()) {
                        true => left_out.extend(common::block::kind(&mut plan, before, d)),
                        false => diags.0.extend(d.0),
                    }
                }
            } )*
            left_out.extend(common::block::colliding(&mut plan, &baseline.source.path.display().to_string()));
            common::block::dependents(&mut plan, left_out);
            finish(plan, diags)
        }
    };
}

/// The plan every kind made, checked whole ([`Plan::finish`]: one change per address,
/// every dependency in the plan), with the accounts its changes reach linked; the kinds'
/// errors, if any. A check that fails is a planner's bug: no plan is safer than one whose
/// order is wrong.
fn finish(plan: Plan, mut diags: Diagnostics) -> Result<Plan, Diagnostics> {
    let mut plan = match plan.finish() {
        Ok(plan) => plan,
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("plinth made an inconsistent plan: {e}"))
                    .hint("this is a bug in plinth; please report it with the baseline, leaving out anything private"),
            );
            return Err(diags);
        }
    };
    crate::plan::impact::link_accounts(&mut plan);
    diags.into_result(plan)
}

registry! {
    /// OUs by path, created (with their parents) if missing, never deleted.
    organizational_units: organizational_units::OrganizationalUnits,
    /// Accounts as code: created when missing, moved into their OU, never closed.
    account: account::Accounts,
    /// Service control policies: generated ones and the user's files, with attachments.
    scp: scp::Scps,
    /// The trail's bucket in a dedicated log archive account: versioning, Object Lock, lifecycle, access logging.
    log_archive: log_archive::LogArchive,
    /// One organization-wide, multi-region trail homed in us-east-1, and its bucket.
    trail: trail::Trail,
    /// CloudWatch billing alarms in us-east-1 notifying an SNS topic.
    billing: billing::Billing,
    /// AWS Budgets cost budgets with forecast and actual alerts, by e-mail or the billing topic.
    budget: budget::Budgets,
    /// The security, billing and operations alternate contacts of every account.
    contacts: contacts::Contacts,
    /// IAM's centralized root access: member accounts' root users audited in root sessions, their credentials removed.
    root_access: root_access::RootAccess,
    /// IAM Identity Center permission sets and assignments.
    sso: sso::Sso,
    /// Resource control policies: the data perimeter (TLS only, this organization only) and the user's files.
    rcp: rcp::Rcps,
    /// AI services opt-out: the organization's content kept out of AWS model training.
    ai_opt_out: ai_opt_out::AiOptOut,
    /// Tag policies from the user's files.
    tag_policy: tag_policy::TagPolicies,
    /// EC2 declarative policies: IMDSv2, public AMI and snapshot sharing, serial console, VPC block public access.
    ec2_declarative: ec2_declarative::Ec2Declarative,
    /// S3 Block Public Access set by the organization, overriding accounts' own settings.
    s3_policy: s3_policy::S3Policy,
    /// Management policies of the types without a section: backup, chat applications, Security Hub, Inspector, GuardDuty, Bedrock, upgrade rollout, Network Security Director.
    management_policy: management_policy::ManagementPolicies,
}

#[cfg(test)]
mod adopt_tests;
#[cfg(test)]
mod hostile_address_tests;
#[cfg(test)]
mod hostile_tests;
#[cfg(test)]
mod limit_tests;
#[cfg(test)]
mod tests;
