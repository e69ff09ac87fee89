//! `allowed_images` of `[ec2_declarative]`: Allowed AMIs, the images instances may be
//! launched from, as the declarative policy's `allowed_images_settings` attribute (AWS's
//! "Declarative policy syntax and examples", "Allowed AMIs settings"): a state
//! (`enabled` enforces, `audit_mode` only reports) and one set of image criteria, the
//! providers images may come from.

use serde::{Deserialize, Deserializer, de};
use serde_json::{Value, json};

/// Allowed AMIs for every account the policy reaches.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowedImages {
    /// `enabled`: only images matching the criteria can be discovered and used;
    /// `audit_mode`: images are only marked as allowed or not.
    pub state: AllowedImagesState,
    /// Where allowed images come from: `amazon`, `aws_marketplace`, `aws_backup_vault`,
    /// or an AWS account ID.
    pub providers: Vec<ImageProvider>,
    /// Let EC2 declarative policies attached below (to an OU or account) change these
    /// settings (default `false`: locked, `@@operators_allowed_for_child_policies: ["@@none"]`).
    #[serde(default)]
    pub allow_account_override: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AllowedImagesState {
    Enabled,
    AuditMode,
}

impl AllowedImagesState {
    const ALL: [(AllowedImagesState, &'static str); 2] = [
        (AllowedImagesState::Enabled, "enabled"),
        (AllowedImagesState::AuditMode, "audit_mode"),
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(s, _)| *s == self).map_or("enabled", |(_, n)| n)
    }
}

/// One image provider, checked while parsing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImageProvider(String);

const ALIASES: [&str; 3] = ["amazon", "aws_marketplace", "aws_backup_vault"];

impl ImageProvider {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn check(s: &str) -> Result<(), String> {
        let account = s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
        if account || ALIASES.contains(&s) {
            return Ok(());
        }
        Err(crate::types::with_hint(
            format!("`{s}` is not an image provider"),
            Some("use `amazon`, `aws_marketplace`, `aws_backup_vault` or a 12-digit AWS account ID".into()),
        ))
    }
}

impl<'de> Deserialize<'de> for ImageProvider {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ImageProvider::check(&s).map_err(de::Error::custom)?;
        Ok(ImageProvider(s))
    }
}

impl schemars::JsonSchema for ImageProvider {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ImageProvider".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(amazon|aws_marketplace|aws_backup_vault|[0-9]{12})$"
        })
    }
}

const LOCK: &str = "@@operators_allowed_for_child_policies";

/// The `allowed_images_settings` attribute, locked at each level unless overrides are
/// allowed: a policy attached below could otherwise `@@append` a provider.
pub fn attribute(a: &AllowedImages) -> Value {
    let providers: Vec<&str> = a.providers.iter().map(ImageProvider::as_str).collect();
    let mut attr = json!({
        "state": {"@@assign": a.state.as_str()},
        "image_criteria": {"criteria_1": {"allowed_image_providers": {"@@assign": providers}}}
    });
    if !a.allow_account_override {
        let none = json!(["@@none"]);
        attr[LOCK] = none.clone();
        attr["state"][LOCK] = none.clone();
        attr["image_criteria"][LOCK] = none.clone();
        attr["image_criteria"]["criteria_1"][LOCK] = none.clone();
        attr["image_criteria"]["criteria_1"]["allowed_image_providers"][LOCK] = none;
    }
    attr
}

/// The setting a live attribute reads as, when it is exactly what plinth writes for some
/// setting: one set of criteria naming only providers, locked or open throughout. Anything
/// else (more criteria, image names, ages, a partial lock) reads as nothing, and import
/// leaves the policy out rather than narrow or widen what it allows.
pub fn read(attr: &Value) -> Option<AllowedImages> {
    let state = attr["state"]["@@assign"].as_str()?;
    let state = AllowedImagesState::ALL.iter().find(|(_, n)| *n == state)?.0;
    let criteria = attr["image_criteria"].as_object()?;
    let only = criteria.iter().find(|(k, _)| !k.starts_with("@@")).map(|(_, v)| v)?;
    let list = only["allowed_image_providers"]["@@assign"].as_array()?;
    let providers = list
        .iter()
        .map(|p| p.as_str().filter(|s| ImageProvider::check(s).is_ok()).map(|s| ImageProvider(s.to_owned())))
        .collect::<Option<Vec<_>>>()?;
    let allow_account_override = attr.get(LOCK).is_none();
    let read = AllowedImages {
        state,
        providers,
        allow_account_override,
    };
    crate::policy::management::equivalent(attr, &attribute(&read)).then_some(read)
}

/// `allowed_images = { state = "…", providers = […] }`, for `plinth import`.
pub fn toml(a: &AllowedImages) -> String {
    let providers: Vec<String> = a.providers.iter().map(|p| format!("\"{}\"", p.as_str())).collect();
    let open = if a.allow_account_override { ", allow_account_override = true" } else { "" };
    format!("{{ state = \"{}\", providers = [{}]{open} }}", a.state.as_str(), providers.join(", "))
}
