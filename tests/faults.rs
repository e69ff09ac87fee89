//! Faults: endpoints that refuse, never answer, throttle, fail or lose answers. plinth
//! fails fast and in one line where nothing can succeed, and otherwise gets through:
//! a full baseline apply under injected faults converges, with nothing made twice.

use crate::support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Emulator, TempBaseline, example_baseline, seed_demo};

const MINIMAL: &str = "[organization]\nmanagement_account_id = \"123456789012\"\n";

fn plinth_at(endpoint: &str, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plinth"));
    cmd.current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    cmd.output().expect("run plinth")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn unreachable_endpoints_fail_within_seconds_in_words_a_person_can_act_on() {
    let b = TempBaseline::new(MINIMAL, &[]);
    for (endpoint, why) in [
        ("http://127.0.0.1:9", "connection refused"),
        ("http://plinth-no-such-host.invalid", "the host name does not resolve"),
    ] {
        let started = Instant::now();
        let out = plinth_at(endpoint, b.dir(), &["plan"]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{endpoint}: {:?}",
            started.elapsed()
        );
        assert!(
            stderr.contains(&format!(
                "Caused by: STS.GetCallerIdentity: cannot connect to {endpoint}: {why}"
            )),
            "{stderr}"
        );
        assert!(
            stderr.contains("hint: check the network and `--endpoint-url`"),
            "{stderr}"
        );
        // No SDK debug dump.
        for dump in ["DispatchFailure", "ConnectorError", "source:"] {
            assert!(!stderr.contains(dump), "{stderr}");
        }
        assert_eq!(stderr.lines().count(), 3, "error, cause, hint: {stderr}");
    }
}

#[test]
fn an_endpoint_that_never_answers_fails_within_the_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    // Accept every connection and say nothing.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let b = TempBaseline::new(MINIMAL, &[]);
    let started = Instant::now();
    let out = plinth_at(&endpoint, b.dir(), &["plan", "--timeout", "3s"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(
        stderr.contains("Caused by: STS.GetCallerIdentity: no answer in time"),
        "{stderr}"
    );
    assert!(stderr.contains("`--timeout` sets the limit"), "{stderr}");
}

#[tokio::test]
async fn a_full_apply_gets_through_throttling_errors_silence_and_lost_answers() {
    let emu = Emulator::start();
    seed_demo(&emu);
    let b = example_baseline();
    // Each attempt may take 13 s (a third of the timeout); a silent request is held for 14,
    // so the client gives up on it and tries again, as it would on a broken connection. The
    // rest of the timeout leaves room for a silence and several throttled retries in one call.
    emu.faults(r#"{"throttle": 0.12, "error": 0.05, "hang": 0.01, "lose": 0.03, "hang_seconds": 14, "seed": 11}"#);
    let out = plinth_at(
        &emu.endpoint,
        b.dir(),
        &["apply", "-f", "baseline.toml", "--auto-approve", "--timeout", "40s"],
    );
    let injected = emu.faults("{}");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{injected}\n{stdout}\n{stderr}");
    for fault in ["throttle", "error", "lose"] {
        assert!(
            injected[fault].as_u64().unwrap() > 0,
            "no `{fault}` was injected: {injected}"
        );
    }
    // Converged, with one of everything.
    let out = plinth_at(
        &emu.endpoint,
        b.dir(),
        &["plan", "-f", "baseline.toml", "--detailed-exitcode"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    support::assert_one_of_each(&emu).await;
}

/// The reads of two kinds fail at once (every CloudTrail and SNS request answered 500):
/// the plan reports both, the trail's first as the registry orders it, whichever failed
/// first, and makes no write.
#[tokio::test]
async fn every_failed_read_is_reported_in_registry_order() {
    let emu = Emulator::start();
    support::seed(&emu.organizations().await).await;
    let b = TempBaseline::new(
        "[organization]\nmanagement_account_id = \"123456789012\"\n\n[trail]\nname = \"org-trail\"\nbucket = \"org-trail-logs-0001\"\n\n[billing]\nnotify = [\"finance@example.com\"]\n\n[[billing.alarm]]\nname = \"org-monthly\"\nthreshold_usd = 1000\n",
        &[],
    );
    emu.faults(r#"{"error": 1.0, "only": ["CloudTrail", "SNS"]}"#);
    let session = emu.session().await;
    let err = session
        .plan(&b.load(), plinth::plan::PlanOptions::default())
        .await
        .unwrap_err()
        .to_string();
    let trail = err.find("CloudTrail.").unwrap_or_else(|| panic!("{err}"));
    let topic = err.find("SNS.").unwrap_or_else(|| panic!("{err}"));
    assert!(trail < topic, "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 2, "{err}");
    assert_eq!(session.aws.counter.snapshot().writes(), 0);
}
