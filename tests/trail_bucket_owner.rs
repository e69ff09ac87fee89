//! The trail's bucket must be the management account's. S3 bucket names are global: an
//! outsider who registers the baseline's bucket name (first, or after the log bucket was
//! deleted), tags it `managed-by=plinth` and lets CloudTrail write and the management
//! account read gets a trail left out of the plan (blocked), not a trail delivering every
//! account's logs to it. On the emulator, whose shim answers `ExpectedBucketOwner` as S3
//! does; the outsider is another account of the emulator, reached with `AssumeRole`.

use aws_sdk_s3::types::{
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
};
use plinth::plan::{Blocked, Plan, PlanOptions};
use serde_json::json;

use crate::support::{Emulator, TempBaseline, seed};

const BASELINE: &str = r#"
[organization]
management_account_id = "123456789012"

[trail]
name = "org-trail"
bucket = "example-org-cloudtrail-logs"

[scp.deny_leave_organization]
attach = ["root"]
"#;
/// Where `bucket`'s value starts in [`BASELINE`].
const BUCKET_AT: &str = "baseline.toml:7:10";
const BUCKET: &str = "example-org-cloudtrail-logs";
const MANAGEMENT: &str = "123456789012";
const OUTSIDER: &str = "999999999999";

async fn organization_id(emu: &Emulator) -> String {
    let org = emu.organizations().await;
    seed(&org).await;
    let described = org.describe_organization().send().await.unwrap();
    described.organization().unwrap().id().unwrap().to_owned()
}

fn s3_client(conf: &aws_types::SdkConfig, credentials: Option<aws_sdk_s3::config::Credentials>) -> aws_sdk_s3::Client {
    let mut b = aws_sdk_s3::config::Builder::from(conf).force_path_style(true);
    if let Some(c) = credentials {
        b = b.credentials_provider(c);
    }
    aws_sdk_s3::Client::from_conf(b.build())
}

/// An S3 client of account [`OUTSIDER`], outside the organization.
async fn outsider_s3(emu: &Emulator) -> aws_sdk_s3::Client {
    let conf = emu.sdk_config().await;
    let assumed = aws_sdk_sts::Client::new(&conf)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{OUTSIDER}:role/registrar"))
        .role_session_name("outsider")
        .send()
        .await
        .unwrap();
    let c = assumed.credentials().unwrap();
    let credentials = aws_sdk_s3::config::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "outsider",
    );
    let who = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&conf)
            .credentials_provider(credentials.clone())
            .build(),
    )
    .get_caller_identity()
    .send()
    .await
    .unwrap();
    assert_eq!(who.account(), Some(OUTSIDER));
    s3_client(&conf, Some(credentials))
}

/// The outsider's bait: the bucket, tagged as plinth's, with the policy plinth would
/// write (CloudTrail may write the organization's logs) plus read access for the
/// management account, public access blocked and SSE-S3: as plinth would leave it, so
/// that without the owner check the plan would show nothing to do on the bucket.
async fn register_bait(s3: &aws_sdk_s3::Client, name: &str, organization_id: &str) {
    s3.create_bucket().bucket(name).send().await.unwrap();
    let tag = Tag::builder().key("managed-by").value("plinth").build().unwrap();
    s3.put_bucket_tagging()
        .bucket(name)
        .tagging(Tagging::builder().tag_set(tag).build().unwrap())
        .send()
        .await
        .unwrap();
    let trail_arn = plinth::kinds::trail::trail_arn(MANAGEMENT, "org-trail");
    let mut statements = plinth::kinds::trail::bucket_statements(name, &trail_arn, MANAGEMENT, organization_id);
    statements.push(json!({
        "Sid": "LetTheManagementAccountLook",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{MANAGEMENT}:root")},
        "Action": ["s3:GetBucketPolicy", "s3:GetBucketTagging", "s3:GetBucketPublicAccessBlock",
                   "s3:GetEncryptionConfiguration", "s3:PutBucketPolicy", "s3:PutBucketTagging"],
        "Resource": format!("arn:aws:s3:::{name}")
    }));
    s3.put_bucket_policy()
        .bucket(name)
        .policy(json!({"Version": "2012-10-17", "Statement": statements}).to_string())
        .send()
        .await
        .unwrap();
    s3.put_public_access_block()
        .bucket(name)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let sse = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(ServerSideEncryption::Aes256)
        .build()
        .unwrap();
    s3.put_bucket_encryption()
        .bucket(name)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(sse)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

/// What the outsider's bucket holds, read by its owner: tags, policy, public access
/// block, encryption.
async fn held(s3: &aws_sdk_s3::Client, name: &str) -> String {
    let tags = s3.get_bucket_tagging().bucket(name).send().await.unwrap();
    let policy = s3.get_bucket_policy().bucket(name).send().await.unwrap();
    let pab = s3.get_public_access_block().bucket(name).send().await.unwrap();
    let enc = s3.get_bucket_encryption().bucket(name).send().await.unwrap();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}",
        tags.tag_set(),
        policy.policy(),
        pab.public_access_block_configuration(),
        enc.server_side_encryption_configuration()
    )
}

/// The plan's one blocked entry: the trail, at the baseline's `bucket`, saying whose it is.
fn blocked_trail(plan: &Plan) -> &Blocked {
    let [blocked] = plan.blocked.as_slice() else {
        panic!("{:#?}", plan.blocked)
    };
    assert_eq!(blocked.target, "trail");
    assert!(blocked.at.ends_with(BUCKET_AT), "{}", blocked.at);
    assert!(
        blocked
            .error
            .starts_with(&format!("bucket `{BUCKET}` belongs to another account; S3 refuses it as a bucket of account {MANAGEMENT} (`ExpectedBucketOwner`): S3.GetBucketPolicy: AccessDenied")),
        "{}",
        blocked.error
    );
    let hint = blocked.hint.as_deref().unwrap_or_default();
    assert!(
        hint.starts_with("S3 bucket names are global: set `bucket` to a name of account 123456789012's own"),
        "{hint}"
    );
    // Nothing of the trail.
    assert!(
        !plan.changes.iter().any(|c| c.address.as_str().starts_with("trail")),
        "{:#?}",
        plan.changes
    );
    blocked
}

/// No write on S3 or CloudTrail among an apply's.
fn assert_no_trail_writes(writes: &[&str]) {
    assert!(
        !writes
            .iter()
            .any(|w| w.starts_with("S3.") || w.starts_with("CloudTrail.")),
        "{writes:?}"
    );
}

#[tokio::test]
async fn an_outsiders_bucket_of_the_baselines_name_blocks_the_trail_and_gets_nothing() {
    let emu = Emulator::start();
    let organization_id = organization_id(&emu).await;
    let outsider = outsider_s3(&emu).await;
    register_bait(&outsider, BUCKET, &organization_id).await;
    let before = held(&outsider, BUCKET).await;
    let b = TempBaseline::new(BASELINE, &[]);

    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), PlanOptions::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let blocked = blocked_trail(&plan);
    assert!(!blocked.error.contains("delivers to it"), "{}", blocked.error);

    // The rest of the baseline goes ahead.
    let session = emu.session().await;
    assert!(session.apply(&plan).await.is_success());
    let writes = session.aws.counter.snapshot();
    assert_no_trail_writes(&writes.write_calls());
    assert_eq!(writes.get("Organizations.CreatePolicy"), 1, "{writes:?}");
    // The bucket as the outsider left it, and no trail at all.
    assert_eq!(held(&outsider, BUCKET).await, before);
    let ct = aws_sdk_cloudtrail::Client::new(&emu.sdk_config().await);
    let trails = ct.describe_trails().send().await.unwrap();
    assert!(trails.trail_list().is_empty(), "{trails:?}");
}

#[tokio::test]
async fn a_log_bucket_deleted_and_registered_by_an_outsider_blocks_the_trail_delivering_there() {
    let emu = Emulator::start();
    let organization_id = organization_id(&emu).await;
    let b = TempBaseline::new(BASELINE, &[]);
    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    assert!(session.apply(&plan).await.is_success());

    // The log bucket is deleted, and its name registered by an outsider.
    let conf = emu.sdk_config().await;
    let s3 = s3_client(&conf, None);
    s3.delete_bucket().bucket(BUCKET).send().await.unwrap();
    let outsider = outsider_s3(&emu).await;
    register_bait(&outsider, BUCKET, &organization_id).await;
    let before = held(&outsider, BUCKET).await;
    let ct = aws_sdk_cloudtrail::Client::new(&conf);
    ct.stop_logging().name("org-trail").send().await.unwrap();

    let session = emu.session().await;
    let plan = session.plan(&b.load(), PlanOptions::default()).await.unwrap();
    let blocked = blocked_trail(&plan);
    assert!(
        blocked
            .error
            .contains("trail `org-trail` delivers to it now: the organization's logs go to that account"),
        "{}",
        blocked.error
    );
    let session = emu.session().await;
    assert!(session.apply(&plan).await.is_success());
    assert_no_trail_writes(&session.aws.counter.snapshot().write_calls());
    // Logging stays stopped, the bucket as the outsider left it.
    assert_eq!(held(&outsider, BUCKET).await, before);
    let status = ct.get_trail_status().name("org-trail").send().await.unwrap();
    assert_eq!(status.is_logging(), Some(false));
}

#[tokio::test]
async fn import_says_when_the_trail_delivers_to_another_accounts_bucket() {
    let emu = Emulator::start();
    let organization_id = organization_id(&emu).await;
    let outsider = outsider_s3(&emu).await;
    register_bait(&outsider, BUCKET, &organization_id).await;
    let conf = emu.sdk_config().await;
    emu.organizations()
        .await
        .enable_aws_service_access()
        .service_principal("cloudtrail.amazonaws.com")
        .send()
        .await
        .unwrap();
    aws_sdk_cloudtrail::Client::new(&conf)
        .create_trail()
        .name("org-trail")
        .s3_bucket_name(BUCKET)
        .is_organization_trail(true)
        .is_multi_region_trail(true)
        .send()
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let report = plinth::import::import(
        &emu.session().await,
        &plinth::import::ImportOptions {
            dir: dir.path().to_owned(),
            only: vec![plinth::kinds::KindId::Trail],
            include_others: false,
            home_region: plinth::types::Region::us_east_1(),
        },
    )
    .await
    .unwrap_or_else(|d| panic!("{d}"));
    let [warning] = report.warnings.as_slice() else {
        panic!("{:#?}", report.warnings)
    };
    assert!(
        warning.starts_with(&format!(
            "trail `org-trail` delivers to bucket `{BUCKET}`, which belongs to another account (S3 refuses it as account {MANAGEMENT}'s: S3.GetBucketPolicy: AccessDenied"
        )),
        "{warning}"
    );
    let text = std::fs::read_to_string(&report.baseline).unwrap();
    assert!(
        text.contains(&format!("[trail]\n# bucket `{BUCKET}` belongs to another account: plinth plans nothing of this trail until `bucket`\n")),
        "{text}"
    );
    // The imported baseline plans the trail blocked.
    let imported = plinth::baseline::load(&report.baseline).unwrap_or_else(|d| panic!("{d}"));
    let plan = emu
        .session()
        .await
        .plan(&imported, PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(
        plan.blocked.iter().map(|b| b.target.as_str()).collect::<Vec<_>>(),
        ["trail"]
    );
}
