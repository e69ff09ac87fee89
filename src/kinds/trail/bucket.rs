//! The trail's bucket: created (tagged) when missing, public access blocked, encrypted
//! (never weakened: SSE-KMS the baseline names no key for is kept, with a note), its
//! policy carrying plinth's statements next to everyone else's, which are never removed;
//! one of plinth's that a live statement already grants exactly is not added again.
//! Only a bucket of the management account: S3 bucket names are global, and another
//! account's bucket of the baseline's name (S3 refuses it under `ExpectedBucketOwner`) is
//! never created, adopted or written to; the trail is left out of the plan (blocked).

use serde_json::Value;

use super::*;
use crate::diag::SourceFile;
use crate::kinds::common::adopt;
use crate::observed::{Bucket, BucketEncryption, PublicAccessBlock};
use crate::plan::{Action, Address, Change, Op, S3Op};

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
    let (live, deps) = plan_existence(plan, t, observed, src, owner)?;
    let target = Target {
        bucket: t.bucket.get_ref().as_str(),
        owner,
        deps: &deps,
    };
    let kms = t.kms_key_arn.as_ref().map(|k| k.get_ref().as_str());
    plan_public_access_block(plan, &target, live.public_access_block);
    plan_encryption(plan, &target, kms, live.encryption);
    if plan_policy(plan, &target, live.policy, ours) {
        trail_deps.push(at(BUCKET_POLICY_ADDRESS));
    }
    trail_deps.extend(deps);
    Ok(())
}

/// The bucket whose parts are planned: its name, the account it must belong to (every
/// write is sent with it as the expected owner), and the changes each part waits for.
struct Target<'a> {
    bucket: &'a str,
    owner: &'a str,
    /// The bucket's creation or adoption, when this plan has one.
    deps: &'a [Address],
}

/// What the live bucket has of the parts plinth sets; nothing for a missing bucket.
#[derive(Default)]
struct LiveParts<'a> {
    public_access_block: Option<&'a PublicAccessBlock>,
    encryption: Option<&'a BucketEncryption>,
    policy: Option<&'a str>,
}

/// Whether the bucket is created (missing), adopted (present without plinth's tag), left
/// as it is (plinth's) or refused (another account's, another tool's); returns its live
/// parts and the change its parts wait for.
fn plan_existence<'a>(
    plan: &mut Plan,
    t: &TrailSection,
    observed: &'a TrailState,
    src: &SourceFile,
    owner: &str,
) -> Result<(LiveParts<'a>, Vec<Address>), Diagnostics> {
    let bucket = t.bucket.get_ref().as_str();
    match &observed.bucket {
        Bucket::OtherAccount { error } => Err(other_account(t, observed, src, owner, error).into()),
        Bucket::Missing => {
            plan.add(Change::new(
                at(BUCKET_ADDRESS),
                Action::Create,
                format!("no bucket `{bucket}`"),
                Op::S3(S3Op::CreateBucket { bucket: bucket.into() }),
            ));
            Ok((LiveParts::default(), vec![at(BUCKET_ADDRESS)]))
        }
        Bucket::Present {
            owned: false,
            managed_by: Some(other),
            ..
        } => Err(adopt::managed_elsewhere(src, t.bucket.span(), &format!("bucket `{bucket}`"), other).into()),
        Bucket::Present {
            owned,
            public_access_block,
            encryption,
            policy,
            ..
        } => {
            let mut deps = vec![];
            if !owned {
                let change = adopt::change(
                    &at(BUCKET_ADDRESS),
                    &format!("bucket `{bucket}`"),
                    Op::S3(S3Op::TagBucket {
                        bucket: bucket.into(),
                        expected_owner: owner.into(),
                    }),
                );
                deps.push(change.address.clone());
                plan.add(change);
            }
            let live = LiveParts {
                public_access_block: public_access_block.as_ref(),
                encryption: encryption.as_ref(),
                policy: policy.as_deref(),
            };
            Ok((live, deps))
        }
    }
}

/// The public access block: put in place (or completed) unless it blocks everything.
fn plan_public_access_block(plan: &mut Plan, target: &Target<'_>, live: Option<&PublicAccessBlock>) {
    if live == Some(&PublicAccessBlock::ALL) {
        return;
    }
    let reason = match live {
        None => "the bucket has no public access block".to_owned(),
        Some(_) => "the bucket's public access block does not block everything".to_owned(),
    };
    plan.add(
        Change::new(
            at(format!("{BUCKET_ADDRESS}.public_access_block")),
            if live.is_none() { Action::Create } else { Action::Update },
            reason,
            Op::S3(S3Op::PutPublicAccessBlock {
                bucket: target.bucket.into(),
                expected_owner: target.owner.into(),
            }),
        )
        .before(live.map(crate::plan::value))
        .after(Some(crate::plan::value(&PublicAccessBlock::ALL)))
        .depends_on(target.deps.to_vec()),
    );
}

/// The default encryption: SSE-KMS with the baseline's `kms_key_arn`, SSE-S3 when it names
/// none; a live SSE-KMS (or DSSE-KMS) the baseline names no key for stays, with a note:
/// never weakened to SSE-S3.
fn plan_encryption(plan: &mut Plan, target: &Target<'_>, kms: Option<&str>, live: Option<&BucketEncryption>) {
    let bucket = target.bucket;
    let want = BucketEncryption {
        algorithm: if kms.is_some() {
            "aws:kms".into()
        } else {
            "AES256".into()
        },
        kms_key: kms.map(str::to_owned),
    };
    let stronger_kept = kms.is_none() && live.is_some_and(|e| e.algorithm.starts_with("aws:kms"));
    if stronger_kept {
        plan.notes.push(format!(
            "keeps bucket `{bucket}`'s {} encryption{} (the baseline names none in `kms_key_arn`; plinth never weakens it to SSE-S3)",
            if live.is_some_and(|e| e.algorithm == "aws:kms:dsse") {
                "DSSE-KMS"
            } else {
                "SSE-KMS"
            },
            live.and_then(|e| e.kms_key.as_deref())
                .map_or(String::new(), |k| format!(" with key `{k}`"))
        ));
    } else if live != Some(&want) {
        plan.add(
            Change::new(
                at(format!("{BUCKET_ADDRESS}.encryption")),
                if live.is_none() { Action::Create } else { Action::Update },
                match (live, kms) {
                    (None, _) => "the bucket has no default encryption".to_owned(),
                    (Some(_), Some(k)) => format!("default encryption is not SSE-KMS with `{k}`"),
                    (Some(_), None) => "default encryption is not SSE-S3".to_owned(),
                },
                Op::S3(S3Op::PutBucketEncryption {
                    bucket: bucket.into(),
                    kms_key: kms.map(str::to_owned),
                    expected_owner: target.owner.into(),
                }),
            )
            .before(live.map(crate::plan::value))
            .after(Some(crate::plan::value(&want)))
            .depends_on(target.deps.to_vec()),
        );
    }
}

/// The bucket policy: the live one with plinth's statements (`ours`) that it does not
/// already grant added, everyone else's kept; a note for ours a live statement grants
/// exactly, a warning for a live deny that shadows one of ours. Whether a policy change
/// was planned (the trail waits for it).
fn plan_policy(plan: &mut Plan, target: &Target<'_>, live: Option<&str>, ours: &[Value]) -> bool {
    let bucket = target.bucket;
    // A live statement that grants exactly what one of ours would (AWS's guide's, under
    // its own Sids) makes ours a duplicate: it stays out.
    let (missing, recognised) = policy::grants::not_yet_granted(live, ours);
    if !recognised.is_empty() {
        plan.notes.push(crate::kinds::common::topic::already_granted(
            &format!("bucket `{bucket}`"),
            &recognised,
        ));
    }
    let want = policy::merge_statements(live, &missing);
    for sid in policy::denies_under(live, ours) {
        plan.warnings
            .push(crate::kinds::common::topic::shadowed(&format!("bucket `{bucket}`"), &sid));
    }
    let Some(change) = crate::plan::policy_document_change(
        at(BUCKET_POLICY_ADDRESS),
        live,
        &want,
        (
            "the bucket has no policy letting CloudTrail write",
            "plinth's statements in the bucket policy are missing or differ",
        ),
        |policy| {
            Op::S3(S3Op::PutBucketPolicy {
                bucket: bucket.into(),
                policy,
                expected_owner: target.owner.into(),
            })
        },
    ) else {
        return false;
    };
    plan.add(change.depends_on(target.deps.to_vec()));
    true
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
