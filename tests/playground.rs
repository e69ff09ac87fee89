//! `make playground` (tests/support/playground.sh): the emulator with the demo's
//! organization stays up, the printed variables reach it, and stopping the script stops
//! the emulator.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{python, repo};

#[test]
fn the_playground_prints_what_reaches_its_organization_and_stops_with_it() {
    let mut script = Command::new("bash")
        .arg(repo().join("tests/support/playground.sh"))
        .env("PLINTH_EMULATOR_PYTHON", python())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("bash runs the playground");
    let mut lines = BufReader::new(script.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let endpoint = loop {
        assert!(
            Instant::now() < deadline,
            "the playground printed no endpoint in a minute"
        );
        let line = lines.next().expect("the playground ended early").unwrap();
        if let Some(rest) = line.trim().strip_prefix("export AWS_ENDPOINT_URL=") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // The printed variables reach the seeded organization: a plan of the example has
    // changes to make (exit 2), and no error.
    let out = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .current_dir(repo())
        .args(["plan", "-f", "baselines/example.toml", "-q", "--detailed-exitcode"])
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("organizational_units.Workloads/Prod"));
    // Stopping the script (SIGTERM, as Ctrl-C's SIGINT would) stops the emulator.
    let _ = Command::new("kill").arg(script.id().to_string()).status();
    script.wait().unwrap();
    let port = endpoint.rsplit(':').next().unwrap();
    let gone = (0..50).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_err()
    });
    assert!(gone, "the emulator outlived the playground");
}
