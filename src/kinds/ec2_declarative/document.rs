//! The EC2 declarative policy a section stands for, and back: AWS's attribute schemas
//! ("Declarative policy syntax and examples",
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_declarative_syntax.html>).

use serde::Deserialize;
use serde_json::{Map, Value, json};
use toml::Spanned;

use super::Ec2DeclarativeSection;
use crate::kinds::import::Toml;

/// Instance metadata defaults for new instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Imds {
    /// IMDSv2 only (`http_tokens = required`).
    RequiredV2,
    Optional,
    NoPreference,
}

/// EBS snapshot block public access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotSharing {
    BlockAllSharing,
    BlockNewSharing,
    Unblocked,
}

/// VPC block public access for internet gateways.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VpcBlock {
    Off,
    BlockIngress,
    BlockBidirectional,
}

impl Imds {
    const ALL: [(Imds, &'static str, &'static str); 3] = [
        (Imds::RequiredV2, "required_v2", "required"),
        (Imds::Optional, "optional", "optional"),
        (Imds::NoPreference, "no_preference", "no_preference"),
    ];
}

impl SnapshotSharing {
    const ALL: [(SnapshotSharing, &'static str); 3] = [
        (SnapshotSharing::BlockAllSharing, "block_all_sharing"),
        (SnapshotSharing::BlockNewSharing, "block_new_sharing"),
        (SnapshotSharing::Unblocked, "unblocked"),
    ];
}

impl VpcBlock {
    const ALL: [(VpcBlock, &'static str); 3] = [
        (VpcBlock::Off, "off"),
        (VpcBlock::BlockIngress, "block_ingress"),
        (VpcBlock::BlockBidirectional, "block_bidirectional"),
    ];
}

fn assign(v: &str) -> Value {
    json!({"@@assign": v})
}

/// The policy document for a section: one attribute per setting given.
pub fn document(s: &Ec2DeclarativeSection) -> Value {
    let mut attrs = Map::new();
    if let Some(message) = &s.exception_message {
        attrs.insert("exception_message".into(), assign(message));
    }
    if let Some(imds) = s.imds {
        let tokens = Imds::ALL.iter().find(|(i, _, _)| *i == imds).map_or("required", |(_, _, t)| t);
        attrs.insert(
            "instance_metadata_defaults".into(),
            json!({"http_tokens": assign(tokens)}),
        );
    }
    if let Some(block) = s.image_block_public_access {
        let state = if block { "block_new_sharing" } else { "unblocked" };
        attrs.insert("image_block_public_access".into(), json!({"state": assign(state)}));
    }
    if let Some(sharing) = s.snapshot_block_public_access {
        let state = SnapshotSharing::ALL.iter().find(|(x, _)| *x == sharing).map_or("unblocked", |(_, n)| n);
        attrs.insert("snapshot_block_public_access".into(), json!({"state": assign(state)}));
    }
    if let Some(on) = s.serial_console {
        let status = if on { "enabled" } else { "disabled" };
        attrs.insert("serial_console_access".into(), json!({"status": assign(status)}));
    }
    if let Some(block) = s.vpc_block_public_access {
        let mode = VpcBlock::ALL.iter().find(|(x, _)| *x == block).map_or("off", |(_, n)| n);
        attrs.insert(
            "vpc_block_public_access".into(),
            json!({"internet_gateway_block": {"mode": assign(mode), "exclusions_allowed": assign("enabled")}}),
        );
    }
    if let Some(allowed) = &s.allowed_images {
        attrs.insert("allowed_images_settings".into(), super::allowed_images::attribute(allowed));
    }
    json!({"ec2_attributes": Value::Object(attrs)})
}

fn assigned<'a>(live: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = &live["ec2_attributes"];
    for p in path {
        v = &v[*p];
    }
    v["@@assign"].as_str()
}

/// The section a live policy reads as (values it does not know left out; the plan then
/// shows them as differences), for `plinth import`.
pub fn settings_of(live: &Value, attach: &[String]) -> Imported {
    let s = Ec2DeclarativeSection {
        imds: assigned(live, &["instance_metadata_defaults", "http_tokens"])
            .and_then(|t| Imds::ALL.iter().find(|(_, _, tok)| *tok == t).map(|(i, _, _)| *i)),
        image_block_public_access: match assigned(live, &["image_block_public_access", "state"]) {
            Some("block_new_sharing") => Some(true),
            Some("unblocked") => Some(false),
            _ => None,
        },
        snapshot_block_public_access: assigned(live, &["snapshot_block_public_access", "state"])
            .and_then(|t| SnapshotSharing::ALL.iter().find(|(_, n)| *n == t).map(|(x, _)| *x)),
        serial_console: match assigned(live, &["serial_console_access", "status"]) {
            Some("enabled") => Some(true),
            Some("disabled") => Some(false),
            _ => None,
        },
        vpc_block_public_access: assigned(live, &["vpc_block_public_access", "internet_gateway_block", "mode"])
            .and_then(|t| VpcBlock::ALL.iter().find(|(_, n)| *n == t).map(|(x, _)| *x)),
        allowed_images: super::allowed_images::read(&live["ec2_attributes"]["allowed_images_settings"]),
        exception_message: assigned(live, &["exception_message"]).map(str::to_owned),
        attach: Spanned::new(0..0, vec![]),
    };
    Imported {
        section: s,
        attach: attach.to_vec(),
    }
}

/// A section read back from a live policy, with its targets as a baseline names them.
pub struct Imported {
    pub section: Ec2DeclarativeSection,
    pub attach: Vec<String>,
}

impl Imported {
    pub fn write(&self, part: &mut Toml) {
        let s = &self.section;
        if let Some(imds) = s.imds {
            let name = Imds::ALL.iter().find(|(i, _, _)| *i == imds).map_or("", |(_, n, _)| n);
            part.string("imds", name);
        }
        if let Some(b) = s.image_block_public_access {
            part.raw("image_block_public_access", b);
        }
        if let Some(x) = s.snapshot_block_public_access {
            let name = SnapshotSharing::ALL.iter().find(|(y, _)| *y == x).map_or("", |(_, n)| n);
            part.string("snapshot_block_public_access", name);
        }
        if let Some(b) = s.serial_console {
            part.raw("serial_console", b);
        }
        if let Some(x) = s.vpc_block_public_access {
            let name = VpcBlock::ALL.iter().find(|(y, _)| *y == x).map_or("", |(_, n)| n);
            part.string("vpc_block_public_access", name);
        }
        if let Some(a) = &s.allowed_images {
            part.raw("allowed_images", super::allowed_images::toml(a));
        }
        if let Some(m) = &s.exception_message {
            part.string("exception_message", m);
        }
        part.strings("attach", &self.attach);
    }
}
