//! One organization policy kind, whatever its type: what sets a kind apart is its
//! [`OrgPolicyKind`] (the type, its section, the policies it generates, its checks), and
//! the functions here are the rest of its `impl Kind`, each a line there. The user's own
//! policies of every kind that takes them are one table shape, [`CustomPolicy`].
//!
//! (`crate::policy::PolicyKind` is another thing: how a policy document is checked.)

use std::borrow::Cow;
use std::marker::PhantomData;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::{Desired, FromFile, Importer, Recognised, Setup};
use crate::aws::organizations::ReadScope;
use crate::diag::Diagnostics;
use crate::kinds::{Baseline, BaselineFile, Context, Description, ImportCx, Imported, Kind, Targets};
use crate::plan::Plan;
use crate::policy::PolicyKind;
use crate::types::policy_types::PolicyType;
use crate::types::{PolicyName, Target};

/// What one organization policy kind adds to the engine: everything else of its
/// `impl Kind` is this module's.
pub trait OrgPolicyKind: Kind {
    /// The policy type its section declares.
    const TYPE: PolicyType;
    /// Its array of the user's own policies (`[[scp.custom]]`, `[[tag_policy]]`), if any;
    /// [`OrgPolicyKind::custom`] lists its entries.
    const CUSTOM: Option<CustomTable> = None;
    /// Its section of the baseline, for callers that hold the whole baseline ([`desired`]);
    /// the hooks are handed it.
    fn section(file: &BaselineFile) -> &Self::Section;
    /// The entries of its [`OrgPolicyKind::CUSTOM`] table.
    fn custom(_section: &Self::Section) -> &[Spanned<CustomPolicy>] {
        &[]
    }
    /// The policies it generates from its section, listed before the custom ones, with
    /// what generating them warns of. `organization_id` is known when planning, not in
    /// `plinth validate`.
    fn generated(
        _baseline: &Baseline,
        _section: &Self::Section,
        _organization_id: Option<&str>,
        _warnings: &mut Vec<String>,
    ) -> Vec<Desired> {
        Vec::new()
    }
    /// Checks of its own section, after the duplicate names and before the engine's.
    fn check(_baseline: &Baseline, _section: &Self::Section, _diags: &mut Diagnostics) {}
    /// Whether the type's service principal has trusted access, for a type that needs it.
    fn trusted_access(_cx: &Context<'_>) -> Option<bool> {
        None
    }
    /// What `plinth import` makes of one live policy of the type: by default not one it
    /// generates (a custom entry, where the kind has a table for them).
    fn recognise(_cx: &ImportCx<'_>, _name: &str, _document: &Value, _attach: &[String]) -> Recognised {
        Recognised::Custom
    }
}

/// Where a kind's custom policies go, and what its JSON Schema says of them.
#[derive(Debug, Clone, Copy)]
pub struct CustomTable {
    /// The section's key that holds them (`custom`: `[[scp.custom]]`, addresses
    /// `scp.custom.<name>`), or `None` when the section is the array itself
    /// (`[[tag_policy]]`, `tag_policy.<name>`).
    pub key: Option<&'static str>,
    /// The table's name in the JSON Schema's `$defs` (`CustomScp`, `TagPolicy`).
    pub schema_name: &'static str,
    /// What its `file` holds, where the schema says more than "Relative to the baseline file."
    pub file: Option<&'static str>,
    /// The table's description in the schema, if it has one.
    pub about: Option<&'static str>,
}

impl CustomTable {
    /// The table's path in a baseline: `rcp.custom`, `tag_policy`.
    fn path(&self, kind: &str) -> String {
        self.key.map_or_else(|| kind.to_owned(), |key| format!("{kind}.{key}"))
    }
}

/// One of the user's own policies, from a JSON file: `[[scp.custom]]`, `[[rcp.custom]]`,
/// `[[tag_policy]]`. Its JSON Schema is [`CustomSchema`]'s, named by the kind.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomPolicy {
    #[schemars(with = "PolicyName")]
    pub name: Spanned<PolicyName>,
    /// Relative to the baseline file.
    #[schemars(with = "PathBuf")]
    pub file: Spanned<PathBuf>,
    pub description: Option<String>,
    #[schemars(with = "Vec<Target>")]
    pub attach: Targets,
}

/// [`CustomPolicy`]'s JSON Schema as kind `K`'s table: under `K`'s name, with its texts.
pub struct CustomSchema<K>(PhantomData<K>);

/// `K`'s custom table; a kind without one that names [`CustomSchema`] does not compile.
const fn table<K: OrgPolicyKind>() -> CustomTable {
    match K::CUSTOM {
        Some(table) => table,
        None => panic!("a kind's `CustomSchema` needs its `OrgPolicyKind::CUSTOM`"),
    }
}

impl<K: OrgPolicyKind> schemars::JsonSchema for CustomSchema<K> {
    fn schema_name() -> Cow<'static, str> {
        const { table::<K>() }.schema_name.into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let table = const { table::<K>() };
        let mut schema = CustomPolicy::json_schema(generator);
        if let Some(file) = table.file
            && let Some(properties) = schema.get_mut("properties")
        {
            properties["file"]["description"] = file.into();
        }
        if let Some(object) = schema.as_object_mut() {
            object.shift_remove("description");
            if let Some(about) = table.about {
                object.insert("description".into(), about.into());
            }
        }
        schema
    }
}

/// Every policy `K` declares: generated, then the user's own, in the baseline's order.
pub fn desired<K: OrgPolicyKind>(
    baseline: &Baseline,
    organization_id: Option<&str>,
    warnings: &mut Vec<String>,
) -> Vec<Desired> {
    desired_of::<K>(baseline, K::section(&baseline.file), organization_id, warnings)
}

/// [`desired`], from the section a hook is handed.
fn desired_of<K: OrgPolicyKind>(
    baseline: &Baseline,
    section: &K::Section,
    organization_id: Option<&str>,
    warnings: &mut Vec<String>,
) -> Vec<Desired> {
    let mut out = K::generated(baseline, section, organization_id, warnings);
    let Some(table) = K::CUSTOM else {
        return out;
    };
    let custom = K::custom(section).iter().map(|decl| {
        let c = decl.get_ref();
        FromFile {
            name: &c.name,
            file: &c.file,
            description: c.description.as_ref(),
            attach: c.attach.get_ref(),
            span: decl.span(),
        }
    });
    out.extend(custom.filter_map(|c| c.desired(baseline, K::NAME, table.key)));
    out
}

/// `Kind::policy_files`: each custom policy's file, checked as a policy of the type.
pub fn policy_files<K: OrgPolicyKind>(section: &K::Section) -> Vec<(&Spanned<PathBuf>, PolicyKind)> {
    K::custom(section)
        .iter()
        .map(|c| (&c.get_ref().file, PolicyKind::from(K::TYPE)))
        .collect()
}

/// `Kind::validate`: custom names used twice, the kind's own checks, then the engine's.
pub fn validate<K: OrgPolicyKind>(baseline: &Baseline, section: &K::Section, diags: &mut Diagnostics) {
    let names = K::custom(section).iter().map(|c| &c.get_ref().name);
    super::duplicate_names(&baseline.source, K::TYPE.rules().noun, names.clone(), diags);
    // A table that is the section itself addresses its policies `<kind>.<name>`.
    if K::CUSTOM.is_some_and(|t| t.key.is_none()) {
        super::reserved_names(&baseline.source, K::TYPE.rules().noun, names, diags);
    }
    K::check(baseline, section, diags);
    let desired = desired_of::<K>(baseline, section, None, &mut Vec::new());
    super::validate(baseline, K::TYPE, &desired, diags);
}

/// `Kind::scope`: the declared policies by name, and the OUs whose accounts they reach.
pub fn scope<K: OrgPolicyKind>(baseline: &Baseline, section: &K::Section, scope: &mut ReadScope) {
    super::scope(
        scope,
        K::TYPE,
        &desired_of::<K>(baseline, section, None, &mut Vec::new()),
    );
}

/// `Kind::describe`: each document as plinth will send it, with its size and targets.
pub fn describe<K: OrgPolicyKind>(baseline: &Baseline, section: &K::Section, out: &mut Description) {
    let desired = desired_of::<K>(baseline, section, None, &mut out.warnings);
    super::describe(baseline, K::TYPE, &desired, &mut out.text);
}

/// `Kind::plan`: the type planned by the engine, generating's warnings in the plan.
pub fn plan<K: OrgPolicyKind>(cx: &Context<'_>, section: &K::Section, plan: &mut Plan) -> Result<(), Diagnostics> {
    let org_id = Some(cx.observed.org.organization_id.as_str());
    let desired = desired_of::<K>(cx.baseline, section, org_id, &mut plan.warnings);
    let setup = Setup {
        kind: K::NAME,
        policy_type: K::TYPE,
        group: None,
        trusted_access: K::trusted_access(cx),
    };
    super::plan(cx, plan, setup, &desired)
}

/// How `plinth import` reads `K`'s type: custom policies into its table, if it has one.
pub fn importer<K: OrgPolicyKind>() -> Importer {
    Importer {
        policy_type: K::TYPE,
        custom_table: K::CUSTOM.map(|t| t.path(K::NAME)),
        type_key: None,
    }
}

/// `Kind::import`: every customer managed policy of the type, recognised by the kind or
/// written as a custom entry.
pub fn import<K: OrgPolicyKind>(cx: &ImportCx<'_>) -> Imported {
    importer::<K>().run(cx, |name, document, attach| K::recognise(cx, name, document, attach))
}
