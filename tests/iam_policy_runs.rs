//! `plinth iam-policy` against the emulator: what plinth writes lies inside the scopes of
//! its policy, and a scheduled guardrail pass calls only what its role allows.

use std::collections::BTreeSet;

use crate::iam_policy::{LOG_ROLE_BOUNDARY, allows, list, statements};
use crate::support::{self, Emulator, TempBaseline, seed};
use plinth::engine::Session;
use plinth::iam_policy;
use plinth::kinds::Phase;
use plinth::lock::LockOptions;
use plinth::plan::PlanOptions;

/// The least-privilege scenario's organization and baseline (its directory has the groups
/// and users the baseline names).
async fn scenario() -> (Emulator, aws_sdk_organizations::Client, TempBaseline) {
    let emu = Emulator::start();
    let org = emu.organizations().await;
    seed(&org).await;
    let ic = support::IdentityCenter::of(&emu).await;
    ic.create_group("developers").await;
    ic.create_user("alice").await;
    let b = TempBaseline::new(
        crate::least_privilege::BASELINE,
        &[
            ("policies/deny.json", crate::least_privilege::DENY),
            ("policies/inline.json", crate::least_privilege::INLINE),
        ],
    );
    (emu, org, b)
}

/// A scheduled guardrail pass, from scratch and after drift, calls nothing the scheduled
/// role's policy (for its baseline) does not allow.
#[tokio::test]
async fn a_guardrail_pass_calls_only_what_the_scheduled_role_allows() {
    let (emu, org, b) = scenario().await;
    let baseline = b.load();
    let repair = plinth::reconcile::Repair::default();
    let kinds = repair.kinds().unwrap();
    let doc = iam_policy::document(
        Phase::Apply,
        &iam_policy::names(Some(&baseline.file), None),
        &iam_policy::Writes {
            kinds: Some(&kinds),
            delete: false,
        },
    );
    let allowed: BTreeSet<String> = statements(&doc).iter().flat_map(|s| list(&s["Action"])).collect();
    let mut called = BTreeSet::new();
    for round in 0..2 {
        let s = Session::new(plinth::aws::Aws::from_sdk(emu.sdk_config().await));
        let summary = plinth::reconcile::pass(
            &s,
            &baseline,
            &repair,
            &plinth::reconcile::Allow::default(),
            LockOptions::default(),
        )
        .await
        .unwrap_or_else(|d| panic!("{d}"));
        assert!(summary.errors.is_empty(), "{summary}");
        for call in s.aws.counter.snapshot().calls.keys() {
            called.insert(plinth::aws::counter::iam_action(call).unwrap());
        }
        if round == 0 {
            // Drift: an SCP's document edited out of band.
            let live = support::live_scp(&org, "deny-s3-delete").await.unwrap();
            org.update_policy()
                .policy_id(&live.id)
                .content(crate::least_privilege::DENY.replace("DeleteBucket", "DeleteObject"))
                .send()
                .await
                .unwrap();
        }
    }
    let outside: Vec<&String> = called.difference(&allowed).collect();
    assert!(
        outside.is_empty(),
        "a guardrail pass called {outside:?}, which its role does not allow"
    );
    // It did write: the trail, the SCPs, the alarms, the lock.
    for write in [
        "cloudtrail:CreateTrail",
        "organizations:CreatePolicy",
        "organizations:UpdatePolicy",
        "cloudwatch:PutMetricAlarm",
        "dynamodb:PutItem",
    ] {
        assert!(called.contains(write), "{write} not called: {called:?}");
    }
}

/// After a first apply of the least-privilege scenario's baseline, everything plinth
/// wrote (read back from the emulator by its ARN) is inside the statement that allows the
/// write: the names plinth gives its resources and the policy's scopes agree.
#[tokio::test]
async fn what_plinth_writes_lies_inside_the_scopes_of_its_policy() {
    let (emu, _org, b) = scenario().await;
    let baseline = b.load();
    let s = Session::new(plinth::aws::Aws::from_sdk(emu.sdk_config().await));
    let (observed, _) = s.observe_and_plan(&baseline, PlanOptions::default()).await.unwrap();
    let report = s
        .apply_locked(
            &baseline,
            PlanOptions::default(),
            &observed.org.organization_id,
            LockOptions::default(),
            |_, fresh| Ok(fresh),
        )
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(report.is_success(), "{report:#?}");
    let doc = iam_policy::document(
        Phase::Apply,
        &iam_policy::names(Some(&baseline.file), None),
        &iam_policy::Writes::ALL,
    );

    let conf = emu.sdk_config().await;
    let mut written: Vec<(&str, String)> = Vec::new();
    let iam = aws_sdk_iam::Client::new(&conf);
    for role in iam.list_roles().send().await.unwrap().roles() {
        if role.role_name().starts_with("plinth-") {
            // Created with the boundary the policy's condition requires.
            let live = iam.get_role().role_name(role.role_name()).send().await.unwrap();
            let boundary = live
                .role()
                .and_then(|r| r.permissions_boundary())
                .and_then(|b| b.permissions_boundary_arn());
            assert_eq!(boundary, Some(LOG_ROLE_BOUNDARY));
            for action in ["iam:CreateRole", "iam:PutRolePolicy", "iam:PassRole"] {
                written.push((action, role.arn().to_owned()));
            }
        }
    }
    written.push(("s3:PutBucketPolicy", "arn:aws:s3:::example-org-cloudtrail-logs".into()));
    let trails = aws_sdk_cloudtrail::Client::new(&conf)
        .describe_trails()
        .send()
        .await
        .unwrap();
    for t in trails.trail_list() {
        written.push(("cloudtrail:UpdateTrail", t.trail_arn().unwrap().to_owned()));
    }
    let groups = aws_sdk_cloudwatchlogs::Client::new(&conf)
        .describe_log_groups()
        .send()
        .await
        .unwrap();
    for g in groups.log_groups() {
        written.push(("logs:PutMetricFilter", g.arn().unwrap().to_owned()));
    }
    let alarms = aws_sdk_cloudwatch::Client::new(&conf)
        .describe_alarms()
        .send()
        .await
        .unwrap();
    for a in alarms.metric_alarms() {
        written.push(("cloudwatch:PutMetricAlarm", a.alarm_arn().unwrap().to_owned()));
    }
    for t in aws_sdk_sns::Client::new(&conf)
        .list_topics()
        .send()
        .await
        .unwrap()
        .topics()
    {
        written.push(("sns:SetTopicAttributes", t.topic_arn().unwrap().to_owned()));
    }
    let budgets = aws_sdk_budgets::Client::new(&conf)
        .describe_budgets()
        .account_id("123456789012")
        .send()
        .await
        .unwrap();
    for budget in budgets.budgets() {
        let arn = format!("arn:aws:budgets::123456789012:budget/{}", budget.budget_name());
        written.push(("budgets:ModifyBudget", arn));
    }
    let tables = aws_sdk_dynamodb::Client::new(&conf).list_tables().send().await.unwrap();
    for t in tables.table_names() {
        written.push((
            "dynamodb:PutItem",
            format!("arn:aws:dynamodb:us-east-1:123456789012:table/{t}"),
        ));
    }
    // Every kind of resource the scenario makes is here.
    let services: BTreeSet<&str> = written.iter().map(|(a, _)| a.split(':').next().unwrap()).collect();
    assert_eq!(
        services,
        [
            "budgets",
            "cloudtrail",
            "cloudwatch",
            "dynamodb",
            "iam",
            "logs",
            "s3",
            "sns"
        ]
        .into(),
        "{written:#?}"
    );
    for (action, arn) in &written {
        assert!(
            allows(&doc, action, arn),
            "{action} on {arn} is outside the policy:\n{doc:#}"
        );
    }
}
