//! The SCPs a baseline declares, generated ([`generated`]) or read from files, as
//! documents ready to compare with what is live. Pure: derived from the baseline alone.

use std::ops::Range;

use serde_json::Value;
use toml::Spanned;

use super::{Kind, ScpSection, Scps, generated};
use crate::kinds::Baseline;
use crate::kinds::common::org_policy::{Desired, kind};
use crate::types::{Region, Target};

/// An SCP the baseline wants, ready to compare with what is live.
pub type DesiredScp = Desired;

/// Every SCP the baseline declares, generated or from files, with the warnings
/// generation raised.
pub fn desired_scps(baseline: &Baseline) -> (Vec<DesiredScp>, Vec<String>) {
    let mut warnings = Vec::new();
    let desired = kind::desired::<Scps>(baseline, None, &mut warnings);
    (desired, warnings)
}

/// The SCPs the baseline's sections generate, with the warnings generating them raised.
pub(super) fn generated_scps(baseline: &Baseline, scp: &ScpSection, warnings: &mut Vec<String>) -> Vec<Desired> {
    let mut out = Vec::new();
    let mut push = |key: &str,
                    name: String,
                    description: String,
                    document: Value,
                    attach: &Spanned<Vec<Spanned<Target>>>,
                    span: Range<usize>| {
        out.push(Desired::new(
            Scps::NAME,
            key,
            name,
            description,
            document,
            attach.get_ref(),
            span,
        ));
    };
    if let Some(rd) = &scp.region_deny {
        let r = rd.get_ref();
        let allowed: Vec<Region> = r
            .allowed_regions
            .get_ref()
            .iter()
            .map(|s| s.get_ref().clone())
            .collect();
        let exempt: Vec<_> = r.exempt_principals.iter().map(|p| p.get_ref().clone()).collect();
        let (doc, w) = generated::region_deny(&allowed, &exempt, baseline.home_region());
        warnings.extend(w);
        push(
            "region_deny",
            "plinth-region-deny".into(),
            "Managed by plinth: denies actions outside the allowed regions".into(),
            doc,
            &r.attach,
            rd.span(),
        );
    }
    if let Some(ct) = &scp.cloudtrail_protection
        && let Some((trail, bucket)) = crate::kinds::cross::trail_name_and_bucket(baseline)
    {
        let doc = generated::cloudtrail_protection(
            &crate::arn::trail_arn(baseline.management_account_id().as_str(), trail),
            bucket,
            &generated::cloudtrail_exempt(baseline),
            crate::kinds::cross::log_archive_role(baseline)
                .map(|r| crate::types::PrincipalPattern::new_unchecked(&r))
                .as_ref(),
        );
        push(
            "cloudtrail_protection",
            "plinth-cloudtrail-protection".into(),
            "Managed by plinth: protects the organization trail and its log bucket".into(),
            doc,
            &ct.get_ref().attach,
            ct.span(),
        );
    }
    if let Some(dl) = &scp.deny_leave_organization {
        push(
            "deny_leave_organization",
            "plinth-deny-leave-organization".into(),
            "Managed by plinth: denies leaving the organization".into(),
            generated::deny_leave_organization(),
            &dl.get_ref().attach,
            dl.span(),
        );
    }
    out
}
