//! Pacing at AWS's published quotas, against an emulator that enforces them (built from
//! the same table, `src/aws/quotas.rs`): unpaced bursts are throttled there, and a plinth
//! apply that writes faster than the quotas allow is paced, never throttled.

use std::time::{Duration, Instant};

use crate::support::{Emulator, TempBaseline, seed};
use aws_smithy_types::retry::RetryConfig;

#[tokio::test]
async fn the_emulator_throttles_a_burst_past_the_quota() {
    let emu = Emulator::start();
    emu.enforce_quotas();
    let conf = aws_sdk_cloudwatch::config::Builder::from(&emu.sdk_config().await)
        .retry_config(RetryConfig::disabled())
        .build();
    let cw = aws_sdk_cloudwatch::Client::from_conf(conf);
    // DescribeAlarms: 9 per second (burst 9, and the emulator's one token of slack).
    let mut throttled = 0;
    for _ in 0..20 {
        if let Err(e) = cw.describe_alarms().send().await {
            let code = aws_sdk_cloudwatch::error::ProvideErrorMetadata::code(&e).map(str::to_owned);
            assert_eq!(code.as_deref(), Some("Throttling"), "{e:?}");
            throttled += 1;
        }
    }
    assert!(throttled >= 5, "only {throttled} of 20 unpaced calls throttled");
    assert_eq!(emu.quota_counts()["CloudWatch.DescribeAlarms"]["throttled"], throttled);
}

#[tokio::test]
async fn an_apply_faster_than_the_quotas_is_paced_not_throttled() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    // Twelve alarms (PutMetricAlarm: 3 per second, burst 3) and one SCP on three targets
    // besides the root (AttachPolicy: 2 per second, burst 3).
    let mut baseline = String::from(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n\
         [scp.deny_leave_organization]\nattach = [\"root\", \"ou:Workloads\", \"ou:Security\", \"account:sandbox\"]\n\n\
         [billing]\n",
    );
    for n in 0..12 {
        baseline.push_str(&format!(
            "\n[[billing.alarm]]\nname = \"limit-{n:02}\"\nthreshold_usd = {}\n",
            100 + n
        ));
    }
    let b = TempBaseline::new(&baseline, &[]);
    emu.enforce_quotas();

    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), Default::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let start = Instant::now();
    let report = session.apply(&plan).await;
    let took = start.elapsed();
    assert!(report.is_success(), "{report:#?}");

    let counts = emu.quota_counts();
    let throttled: Vec<(&String, &serde_json::Value)> = counts
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, c)| c["throttled"] != 0)
        .collect();
    assert!(throttled.is_empty(), "throttled: {throttled:?}");
    assert_eq!(counts["CloudWatch.PutMetricAlarm"]["requests"], 12);
    // The quota floor: nine alarms past the burst at three per second.
    assert!(took >= Duration::from_secs(3), "{took:?}: not paced");
    // Nothing was retried: one attempt per call.
    let counts = session.aws.counter.snapshot();
    let calls: u64 = counts.calls.values().sum();
    assert_eq!(counts.attempts, calls, "{counts:#?}");
}

#[test]
fn max_rate_takes_a_known_service_and_a_positive_rate() {
    let run = |arg: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_plinth"))
            .args(["validate", "-f", "baselines/example.toml", "--max-rate", arg])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    assert_eq!(run("cloudwatch=1.5").0, Some(0));
    let (code, stderr) = run("logz=1");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("unknown service `logz`"), "{stderr}");
    let (code, stderr) = run("sso=0");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("the rate must be above zero"), "{stderr}");
    let (code, stderr) = run("sso");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("expected SERVICE=N"), "{stderr}");
}

#[tokio::test]
async fn a_quota_shared_with_another_caller_slows_plinth_down_without_a_failed_change() {
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let mut baseline = String::from("[organization]\nmanagement_account_id = \"123456789012\"\n\n[billing]\n");
    for n in 0..15 {
        baseline.push_str(&format!(
            "\n[[billing.alarm]]\nname = \"limit-{n:02}\"\nthreshold_usd = {}\n",
            100 + n
        ));
    }
    let b = TempBaseline::new(&baseline, &[]);
    // Another tool uses half of PutMetricAlarm's quota: AWS lets plinth have 1.5 a second.
    let mut table = plinth::aws::quotas::as_json();
    table["operations"]["CloudWatch.PutMetricAlarm"] = serde_json::json!({ "rate": 1.5, "burst": 1 });
    emu.enforce_quotas_with(&table);

    let session = emu.session().await;
    let plan = session
        .plan(&b.load(), Default::default())
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let report = session.apply(&plan).await;
    assert!(
        report.is_success(),
        "a throttled change is never a failed one: {report:#?}"
    );
    let counts = session.aws.counter.snapshot();
    let seen = emu.quota_counts();
    let throttled = seen["CloudWatch.PutMetricAlarm"]["throttled"].as_u64().unwrap();
    eprintln!("throttled answers: {throttled}");
    assert!(throttled > 0, "the shared quota bit: {seen}");
    assert_eq!(counts.throttled, throttled, "plinth counted each throttled answer");
    // Slowed down after the first throttled answers, plinth does not keep bouncing.
    assert!(throttled <= 8, "{throttled} throttled answers for 15 alarms: {seen}");
}

#[tokio::test]
async fn a_call_that_waits_long_for_its_token_still_goes_through() {
    // One IAM Identity Center call every 6.5 s: the second waits for its token inside the
    // HTTP client, where plinth paces, longer than any of the SDK's stall graces (5 s),
    // and still goes through.
    let emu = Emulator::start();
    seed(&emu.organizations().await).await;
    let aws = plinth::aws::Aws::with_max_rates(
        emu.sdk_config().await,
        std::collections::BTreeMap::from([("sso".to_owned(), 1.0 / 6.5)]),
    );
    let sso = aws.sso("us-east-1");
    let started = Instant::now();
    for _ in 0..2 {
        sso.instance().await.unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(started.elapsed() >= Duration::from_secs(6), "{:?}", started.elapsed());
}

/// Every service of the table is accepted under its one `--max-rate` name (`account` and
/// `budgets` were refused once though the pacer knew both), and a refusal lists them all.
#[test]
fn max_rate_takes_every_service_of_the_table() {
    let run = |arg: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_plinth"))
            .args(["validate", "-f", "baselines/example.toml", "--max-rate", arg])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    };
    let names = plinth::types::service::Service::max_rate_names();
    assert!(names.contains(&"account") && names.contains(&"budgets"), "{names:?}");
    for name in &names {
        let out = run(&format!("{name}=1"));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stderr = String::from_utf8_lossy(&run("cloudwatchlogs=1").stderr).to_string();
    assert!(stderr.contains(&format!("one of {}", names.join(", "))), "{stderr}");
}
