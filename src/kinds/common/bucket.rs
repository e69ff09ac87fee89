//! A bucket plinth keeps, whichever account holds it (the trail's in the management
//! account, the log archive's in its member account): created (tagged) when missing,
//! adopted when untagged, public access blocked, encrypted (never weakened: SSE-KMS the
//! baseline names no key for is kept, with a note), its policy carrying plinth's
//! statements next to everyone else's, which are never removed; one of plinth's that a
//! live statement already grants exactly is not added again.
//!
//! Every write but the create names the account the bucket must belong to
//! (`ExpectedBucketOwner`): S3 refuses it on another account's bucket.

use serde_json::Value;

use crate::diag::{Diagnostic, SourceFile};
use crate::kinds::common::adopt;
use crate::observed::{Bucket, BucketEncryption, PublicAccessBlock};
use crate::plan::{Action, Address, Change, Op, Plan, S3Op};
use crate::policy;

/// The bucket being planned.
pub struct Target<'a> {
    /// Its address: `trail.bucket`; its parts' are under it (`trail.bucket.policy`).
    pub address: Address,
    pub bucket: &'a str,
    /// The account it must belong to (every write but the create is sent with it as the
    /// expected owner).
    pub owner: &'a str,
    /// The member account its changes act in; `None` for the management account.
    pub account: Option<&'a str>,
    /// Made with S3 Object Lock (only a create can turn it on without versioning first).
    pub object_lock: bool,
    /// Where the baseline names it, for errors.
    pub span: std::ops::Range<usize>,
}

impl Target<'_> {
    /// The address of one of its parts: `trail.bucket.policy`.
    pub fn part(&self, name: &str) -> Address {
        self.address.child(name)
    }

    /// `change`, in the target's account.
    pub fn placed(&self, change: Change) -> Change {
        match self.account {
            Some(account) => change.in_account(account),
            None => change,
        }
    }
}

/// What the live bucket has of the parts plinth sets; nothing for a missing bucket.
#[derive(Default)]
pub struct LiveParts<'a> {
    pub public_access_block: Option<&'a PublicAccessBlock>,
    pub encryption: Option<&'a BucketEncryption>,
    pub policy: Option<&'a str>,
}

/// Whether the bucket is created (missing), adopted (present without plinth's tag) or
/// left as it is (plinth's); another tool's is an error. Returns its live parts and the
/// change its parts wait for. [`Bucket::OtherAccount`] is the caller's to explain.
pub fn existence<'a>(
    plan: &mut Plan,
    target: &Target<'_>,
    live: &'a Bucket,
    src: &SourceFile,
) -> Result<(LiveParts<'a>, Vec<Address>), Diagnostic> {
    let bucket = target.bucket;
    match live {
        Bucket::OtherAccount { .. } => unreachable!("the caller explains another account's bucket"),
        Bucket::Missing => {
            plan.add(target.placed(Change::new(
                target.address.clone(),
                Action::Create,
                format!("no bucket `{bucket}`"),
                Op::S3(S3Op::CreateBucket {
                    bucket: bucket.into(),
                    object_lock: target.object_lock,
                }),
            )));
            Ok((LiveParts::default(), vec![target.address.clone()]))
        }
        Bucket::Present {
            owned: false,
            managed_by: Some(other),
            ..
        } => Err(adopt::managed_elsewhere(
            src,
            target.span.clone(),
            &format!("bucket `{bucket}`"),
            other,
        )),
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
                    &target.address,
                    &format!("bucket `{bucket}`"),
                    Op::S3(S3Op::TagBucket {
                        bucket: bucket.into(),
                        expected_owner: target.owner.into(),
                    }),
                );
                deps.push(change.address.clone());
                plan.add(target.placed(change));
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
pub fn public_access_block(plan: &mut Plan, target: &Target<'_>, deps: &[Address], live: Option<&PublicAccessBlock>) {
    if live == Some(&PublicAccessBlock::ALL) {
        return;
    }
    let reason = match live {
        None => "the bucket has no public access block".to_owned(),
        Some(_) => "the bucket's public access block does not block everything".to_owned(),
    };
    plan.add(
        target.placed(
            Change::new(
                target.part("public_access_block"),
                if live.is_none() { Action::Create } else { Action::Update },
                reason,
                Op::S3(S3Op::PutPublicAccessBlock {
                    bucket: target.bucket.into(),
                    expected_owner: target.owner.into(),
                }),
            )
            .before(live.map(crate::plan::value))
            .after(Some(crate::plan::value(&PublicAccessBlock::ALL)))
            .depends_on(deps.to_vec()),
        ),
    );
}

/// The default encryption: SSE-KMS with `kms`, SSE-S3 when it names none; a live SSE-KMS
/// (or DSSE-KMS) the baseline names no key for stays, with a note: never weakened to SSE-S3.
pub fn encryption(
    plan: &mut Plan,
    target: &Target<'_>,
    deps: &[Address],
    kms: Option<&str>,
    live: Option<&BucketEncryption>,
) {
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
            target.placed(
                Change::new(
                    target.part("encryption"),
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
                .depends_on(deps.to_vec()),
            ),
        );
    }
}

/// The bucket policy: the live one with plinth's statements (`ours`) that it does not
/// already grant added, everyone else's kept; a note for ours a live statement grants
/// exactly, a warning for a live deny that shadows one of ours. `missing` is the reason
/// when the bucket has no policy. Whether a policy change was planned.
pub fn policy(
    plan: &mut Plan,
    target: &Target<'_>,
    deps: &[Address],
    (live, ours): (Option<&str>, &[Value]),
    missing: &str,
) -> bool {
    let bucket = target.bucket;
    // A live statement that grants exactly what one of ours would (AWS's guide's, under
    // its own Sids) makes ours a duplicate: it stays out.
    let (not_granted, recognised) = policy::grants::not_yet_granted(live, ours);
    if !recognised.is_empty() {
        plan.notes.push(crate::kinds::common::topic::already_granted(
            &format!("bucket `{bucket}`"),
            &recognised,
        ));
    }
    let want = policy::merge_statements(live, &not_granted);
    for sid in policy::denies_under(live, ours) {
        plan.warnings.push(crate::kinds::common::topic::shadowed(
            &format!("bucket `{bucket}`"),
            &sid,
        ));
    }
    let Some(change) = crate::plan::policy_document_change(
        target.part("policy"),
        live,
        &want,
        (
            missing,
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
    plan.add(target.placed(change.depends_on(deps.to_vec())));
    true
}
