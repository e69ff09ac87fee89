//! `plinth import` for SCPs: plinth's generated policies recognised by name and content
//! (their parameters read back from the document), every other customer managed SCP as
//! a `[[scp.custom]]` with its document in `policies/`, each with its attachments.

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::generated;
use crate::kinds::import::{ImportCx, Imported, Toml, file_name};
use crate::observed::Scp;
use crate::policy::normalize;
use crate::types::{PrincipalPattern, Region};

const REGION_DENY: &str = "plinth-region-deny";
const CLOUDTRAIL_PROTECTION: &str = "plinth-cloudtrail-protection";
const DENY_LEAVE: &str = "plinth-deny-leave-organization";

pub(super) fn import(cx: &ImportCx<'_>) -> Imported {
    let mut out = Imported::default();
    let mut scps: Vec<&Scp> = cx.org.scps.iter().collect();
    scps.sort_by(|a, b| a.name.cmp(&b.name));
    let mut generated_part = Toml::default();
    let mut custom_part = Toml::default();
    let mut taken = BTreeSet::new();
    for p in scps {
        if p.aws_managed {
            out.skipped.push(format!(
                "SCP `{}` ({}): AWS managed; every target keeps it unless detached by hand",
                p.name, p.id
            ));
            continue;
        }
        if let Some(other) = &p.managed_by {
            if !cx.include_others {
                out.skipped
                    .push(format!("SCP `{}` ({}): managed by {other}", p.name, p.id));
                continue;
            }
            out.warnings.push(format!(
                "SCP `{}` is managed by {other}; imported because of `--include-managed-by-others`",
                p.name
            ));
        }
        let Some(document) = p.content.as_deref().and_then(|c| serde_json::from_str::<Value>(c).ok()) else {
            out.skipped
                .push(format!("SCP `{}` ({}): its content is not JSON", p.name, p.id));
            continue;
        };
        let attach = targets(cx, p);
        match p.name.as_str() {
            DENY_LEAVE => {
                generated_part.table("scp.deny_leave_organization");
                if !normalize::equivalent(&document, &generated::deny_leave_organization()) {
                    generated_part.comment("the live content differs from what plinth generates: the plan updates it");
                }
                generated_part.strings("attach", &attach);
            }
            REGION_DENY => {
                let allowed: Vec<Region> = condition_values(&document, "StringNotEquals", "aws:RequestedRegion");
                let exempt: Vec<PrincipalPattern> = condition_values(&document, "ArnNotLike", "aws:PrincipalARN");
                let (want, _) = generated::region_deny(&allowed, &exempt, cx.home_region);
                generated_part.table("scp.region_deny");
                if normalize::equivalent(&document, &want) {
                    generated_part.comment("recognised: plinth generates exactly this document from these values");
                } else {
                    generated_part.comment(
                        "the live content differs from what plinth generates for these values: the plan updates it",
                    );
                }
                let regions: Vec<&str> = allowed.iter().map(Region::as_str).collect();
                generated_part.strings("allowed_regions", &regions);
                if !exempt.is_empty() {
                    let exempt: Vec<&str> = exempt.iter().map(PrincipalPattern::as_str).collect();
                    generated_part.strings("exempt_principals", &exempt);
                }
                generated_part.strings("attach", &attach);
            }
            CLOUDTRAIL_PROTECTION => {
                let exempt: Vec<PrincipalPattern> = condition_values(&document, "ArnNotLike", "aws:PrincipalARN");
                generated_part.table("scp.cloudtrail_protection");
                generated_part
                    .comment("protects the `[trail]` trail and its bucket; plinth regenerates it from `[trail]`");
                if !exempt.is_empty() {
                    let exempt: Vec<&str> = exempt.iter().map(PrincipalPattern::as_str).collect();
                    generated_part.strings("exempt_principals", &exempt);
                }
                generated_part.strings("attach", &attach);
            }
            name if name.starts_with("plinth-") => {
                out.skipped.push(format!(
                    "SCP `{name}` ({}): named like plinth's own, but plinth generates no policy of that name",
                    p.id
                ));
            }
            name => {
                let file = format!("policies/{}", file_name(name, "json", &mut taken));
                let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
                text.push('\n');
                out.files.push((file.clone(), text));
                custom_part
                    .array_table("scp.custom")
                    .string("name", name)
                    .string("file", &file)
                    .string("description", &p.description)
                    .strings("attach", &attach);
            }
        }
    }
    out.toml.append(&generated_part).append(&custom_part);
    out
}

/// The SCP's targets as a baseline names them, root first, then by name.
fn targets(cx: &ImportCx<'_>, p: &Scp) -> Vec<String> {
    let mut out: Vec<String> = p.targets.iter().filter_map(|id| cx.target_of(id)).collect();
    out.sort_by_key(|t| (t != "root", t.clone()));
    out
}

/// The values of `operator` / `key` in any statement's condition, each parsed as the
/// baseline would (values it would reject are dropped, and the plan then shows the
/// difference), sorted.
fn condition_values<T: DeserializeOwned>(document: &Value, operator: &str, key: &str) -> Vec<T> {
    let statements = match &document["Statement"] {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    };
    let mut values: Vec<String> = Vec::new();
    for s in statements {
        match &s["Condition"][operator][key] {
            Value::String(v) => values.push(v.clone()),
            Value::Array(items) => values.extend(items.iter().filter_map(|v| v.as_str().map(str::to_owned))),
            _ => {}
        }
    }
    values.sort();
    values.dedup();
    values
        .into_iter()
        .filter_map(|v| serde_json::from_value(Value::String(v)).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Aws;
    use crate::aws::clients::Clients;
    use crate::observed::{OrgState};
    use crate::policy::minify;

    fn scp(id: &str, name: &str, content: &Value, targets: &[&str]) -> Scp {
        Scp {
            id: id.into(),
            name: name.into(),
            description: String::new(),
            aws_managed: false,
            owned: false,
            managed_by: crate::observed::other_manager(name, []),
            content: Some(minify(content)),
            targets: targets.iter().map(|t| t.to_string()).collect(),
            targets_read: true,
        }
    }

    fn run(org: &OrgState, include_others: bool) -> Imported {
        // No call is made: SCPs come from the organization already read.
        let sdk = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_types::region::Region::new("us-east-1"))
            .build();
        let clients = Clients::new(Aws::from_sdk(sdk));
        let home = Region::us_east_1();
        import(&ImportCx {
            clients: &clients,
            org,
            home_region: &home,
            include_others,
        })
    }

    fn org() -> OrgState {
        let regions: Vec<Region> = ["eu-west-1", "us-east-1"]
            .into_iter()
            .map(|r| Region::parse(r).unwrap())
            .collect();
        let exempt: Vec<PrincipalPattern> =
            vec![serde_json::from_value(Value::String("arn:aws:iam::*:role/BreakGlass".into())).unwrap()];
        let (region_deny, _) = generated::region_deny(&regions, &exempt, &Region::us_east_1());
        let custom = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]});
        let mut full = scp("p-FullAWSAccess", "FullAWSAccess", &custom, &["r-1"]);
        full.aws_managed = true;
        OrgState {
            root_id: "r-1".into(),
            ous: crate::observed::Ou::tree("r-1", &[("ou-w", "Workloads")]),
            scps: vec![
                full,
                scp("p-1", "plinth-region-deny", &region_deny, &["r-1"]),
                scp("p-2", "No S3 / Deletes!", &custom, &["ou-w", "r-1"]),
                scp("p-3", "aws-guardrails-XyZ", &custom, &["r-1"]),
            ],
            ..OrgState::default()
        }
    }

    #[test]
    fn generated_policies_are_recognised_and_others_become_files() {
        let out = run(&org(), false);
        let text = &out.toml.0;
        assert!(
            text.contains(
                "[scp.region_deny]\n# recognised: plinth generates exactly this document from these values\n\
                 allowed_regions = [\"eu-west-1\", \"us-east-1\"]\n\
                 exempt_principals = [\"arn:aws:iam::*:role/BreakGlass\"]\nattach = [\"root\"]\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "[[scp.custom]]\nname = \"No S3 / Deletes!\"\nfile = \"policies/no-s3-deletes.json\"\n\
                 description = \"\"\nattach = [\"root\", \"ou:Workloads\"]\n"
            ),
            "{text}"
        );
        assert_eq!(out.files.len(), 1);
        assert!(!text.contains("aws-guardrails"), "{text}");
        assert_eq!(out.skipped.len(), 2, "{:?}", out.skipped);
        assert!(
            out.skipped[1].contains("managed by AWS Control Tower"),
            "{:?}",
            out.skipped
        );
    }

    #[test]
    fn a_changed_generated_policy_is_imported_with_a_comment_and_others_on_request() {
        let mut org = org();
        let mut doc: Value = serde_json::from_str(org.scps[1].content.as_deref().unwrap()).unwrap();
        doc["Statement"][0]["NotAction"] = serde_json::json!(["iam:*"]);
        org.scps[1].content = Some(minify(&doc));
        let out = run(&org, true);
        assert!(
            out.toml.0.contains(
                "# the live content differs from what plinth generates for these values: the plan updates it"
            ),
            "{}",
            out.toml.0
        );
        assert!(out.toml.0.contains("name = \"aws-guardrails-XyZ\""), "{}", out.toml.0);
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    }
}
