//! The trail's bucket in the management account ([`crate::kinds::common::bucket`]).
//! Only a bucket of the management account: S3 bucket names are global, and another
//! account's bucket of the baseline's name (S3 refuses it under `ExpectedBucketOwner`) is
//! never created, adopted or written to; the trail is left out of the plan (blocked).

use serde_json::Value;

use super::*;
use crate::diag::SourceFile;
use crate::kinds::common::bucket::{self, Target};
use crate::observed::Bucket;
use crate::plan::Address;

/// The bucket's changes, each sent as the bucket of `owner` (the management account); the
/// ones the trail must wait for are added to `trail_deps`.
pub(super) fn plan_bucket(
    plan: &mut Plan,
    t: &TrailSection,
    observed: &TrailState,
    src: &SourceFile,
    ours: &[Value],
    owner: &str,
    trail_deps: &mut Vec<Address>,
) -> Result<(), Diagnostics> {
    let target = Target {
        address: at(BUCKET_ADDRESS),
        bucket: t.bucket.get_ref().as_str(),
        owner,
        account: None,
        object_lock: false,
        span: t.bucket.span(),
    };
    if let Bucket::OtherAccount { error } = &observed.bucket {
        return Err(other_account(t, observed, src, owner, error).into());
    }
    let (live, deps) = bucket::existence(plan, &target, &observed.bucket, src)?;
    let kms = t.kms_key_arn.as_ref().map(|k| k.get_ref().as_str());
    bucket::public_access_block(plan, &target, &deps, live.public_access_block);
    bucket::encryption(plan, &target, &deps, kms, live.encryption);
    if bucket::policy(
        plan,
        &target,
        &deps,
        (live.policy, ours),
        "the bucket has no policy letting CloudTrail write",
    ) {
        trail_deps.push(at(BUCKET_POLICY_ADDRESS));
    }
    trail_deps.extend(deps);
    Ok(())
}

/// A bucket of the baseline's name that another account holds: S3 names are global, so
/// anyone may have registered it (first, or after the log bucket was deleted), tagged it
/// and let CloudTrail write to it. The trail is left out of the plan (blocked, as what an
/// outsider can cause must not stop the rest of the organization's repair): nothing of it
/// is created, adopted or pointed at that bucket.
fn other_account(t: &TrailSection, observed: &TrailState, src: &SourceFile, owner: &str, error: &str) -> Diagnostic {
    let bucket = t.bucket.get_ref().as_str();
    let d = Diagnostic::error(format!("bucket `{bucket}` belongs to another account"))
        .at(src, t.bucket.span())
        .cause(format!("S3 refuses it as a bucket of account {owner} (`ExpectedBucketOwner`): {error}"));
    let d = match &observed.trail {
        Some(trail) if trail.settings.s3_bucket == bucket => d.cause(format!(
            "trail `{}` delivers to it now: the organization's logs go to that account",
            trail.settings.name
        )),
        _ => d,
    };
    d.hint(format!(
        "S3 bucket names are global: set `bucket` to a name of account {owner}'s own (plinth creates it when missing) \
         and plinth points the trail there; plinth never creates, adopts or writes to another account's bucket"
    ))
    .blocking(Trail::NAME)
}
