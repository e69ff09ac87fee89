//! The emulator test world: a fresh moto server per test (tests/support/emulator.py) on a
//! free loopback port, SDK clients pointed at it, and helpers to seed an organization.
//!
//! The emulator's Python comes from `PLINTH_EMULATOR_PYTHON`, else `.venv/bin/python` in
//! the repository (made by `make venv`, which `make test` runs). A missing emulator fails
//! the test loudly; it is never skipped.

#![allow(dead_code)]

pub mod policies;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_organizations::types::{OrganizationFeatureSet, PolicyType};
use aws_types::SdkConfig;
use aws_types::region::Region;
use plinth::aws::Aws;
use plinth::baseline::{self, Baseline};
use plinth::engine::Session;

pub const MANAGEMENT_ACCOUNT: &str = "123456789012";

pub struct Emulator {
    child: Child,
    pub endpoint: String,
    log: PathBuf,
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("PLINTH_EMULATOR_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the emulator's Python environment is missing at {}: run `make venv` (or `make test`), or set PLINTH_EMULATOR_PYTHON",
        venv.display()
    );
    venv
}

impl Emulator {
    /// Start a fresh emulator and wait until it accepts connections.
    pub fn start() -> Emulator {
        let log = std::env::temp_dir().join(format!("plinth-emulator-{}-{}.log", std::process::id(), unique()));
        let mut child = Command::new(python())
            .arg(repo().join("tests/support/emulator.py"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("emulator log file"))
            .spawn()
            .expect("start the emulator");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep draining so the emulator never blocks on a full pipe.
            for _ in lines {}
        });
        let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!(
                "the emulator did not start within 60 s; its log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        let port = line
            .strip_prefix("PLINTH_EMULATOR_PORT=")
            .unwrap_or_else(|| panic!("unexpected first line from the emulator: {line}"));
        Emulator {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// SDK configuration for the emulator, with static test credentials.
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_organizations::config::Credentials::new(
                "testing",
                "testing",
                None,
                None,
                "plinth-tests",
            ))
            .load()
            .await
    }

    /// A plinth session against the emulator, with its own call counter.
    pub async fn session(&self) -> Session {
        Session::new(Aws::from_sdk(self.sdk_config().await))
    }

    /// A session paced at a hundred times AWS's quotas, for tests that write a large
    /// organization through plinth (pacing at the real figures: tests/pace.rs).
    #[allow(dead_code)]
    pub async fn fast_session(&self) -> Session {
        let pacer = plinth::aws::limiter::Pacer::default().faster(100.0);
        Session::new(Aws::with_pacer(self.sdk_config().await, pacer))
    }

    /// A raw Organizations client, for seeding and for drift made out of band.
    pub async fn organizations(&self) -> aws_sdk_organizations::Client {
        aws_sdk_organizations::Client::new(&self.sdk_config().await)
    }

    /// Environment for running the `plinth` binary against this emulator.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_CONFIG_FILE", "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".into()),
        ]
    }
}

impl Emulator {
    /// Set the emulator's fault injection (see tests/support/emulator.py): a JSON object
    /// such as `{"throttle": 0.1, "seed": 7}`, or `{}` to turn it off. Answers what was
    /// injected since the last setting.
    pub fn faults(&self, settings: &str) -> serde_json::Value {
        self.control("POST", settings)
    }

    /// What fault injection did so far.
    pub fn injected(&self) -> serde_json::Value {
        self.control("GET", "")
    }

    /// Enforce AWS's request-rate quotas, from plinth's own table (`src/aws/quotas.rs`):
    /// a request that finds its token bucket empty gets the service's throttling error.
    /// Answers the requests counted and throttled before, by operation.
    #[allow(dead_code)]
    pub fn enforce_quotas(&self) -> serde_json::Value {
        self.control_at("/_plinth/quotas", "POST", &plinth::aws::quotas::as_json().to_string())
    }

    /// Enforce quotas of one's own (the shape of `plinth::aws::quotas::as_json()`), such
    /// as lower ones, for a quota shared with another caller.
    #[allow(dead_code)]
    pub fn enforce_quotas_with(&self, table: &serde_json::Value) -> serde_json::Value {
        self.control_at("/_plinth/quotas", "POST", &table.to_string())
    }

    /// Requests counted and throttled under quota enforcement, by operation.
    #[allow(dead_code)]
    pub fn quota_counts(&self) -> serde_json::Value {
        self.control_at("/_plinth/quotas", "GET", "")
    }

    /// Seed member accounts' root user credentials and the accounts where `AssumeRoot` is
    /// denied (see tests/support/emulator_management.py); answers what is stored.
    #[allow(dead_code)]
    pub fn root_credentials(&self, settings: &serde_json::Value) -> serde_json::Value {
        self.control_at("/_plinth/root", "POST", &settings.to_string())
    }

    fn control(&self, method: &str, body: &str) -> serde_json::Value {
        self.control_at("/_plinth/faults", method, body)
    }

    fn control_at(&self, path: &str, method: &str, body: &str) -> serde_json::Value {
        use std::io::{Read, Write};
        let addr = self.endpoint.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(addr).expect("connect to the emulator");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        serde_json::from_str(json).unwrap_or_else(|e| panic!("fault control answered {answer}: {e}"))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Ids of what [`seed`] created.
pub struct Seeded {
    pub root_id: String,
    pub workloads_ou: String,
    pub security_ou: String,
    pub sandbox_account: String,
}

/// An organization with all features, OUs `Workloads` and `Security`, and an account
/// `sandbox` in `Workloads`.
pub async fn seed(org: &aws_sdk_organizations::Client) -> Seeded {
    seed_with(org, OrganizationFeatureSet::All).await
}

pub async fn seed_with(org: &aws_sdk_organizations::Client, features: OrganizationFeatureSet) -> Seeded {
    org.create_organization()
        .feature_set(features)
        .send()
        .await
        .expect("create organization");
    let root_id = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let ou = |name: &'static str| {
        let root_id = root_id.clone();
        async move {
            org.create_organizational_unit()
                .parent_id(root_id)
                .name(name)
                .send()
                .await
                .unwrap()
                .organizational_unit()
                .unwrap()
                .id()
                .unwrap()
                .to_owned()
        }
    };
    let workloads_ou = ou("Workloads").await;
    let security_ou = ou("Security").await;
    let sandbox_account = create_account_in(org, "sandbox", &root_id, &workloads_ou).await;
    Seeded {
        root_id,
        workloads_ou,
        security_ou,
        sandbox_account,
    }
}

/// Create an account `<name>@example.com` and move it from the root into an OU.
pub async fn create_account_in(org: &aws_sdk_organizations::Client, name: &str, root_id: &str, ou_id: &str) -> String {
    let id = org
        .create_account()
        .account_name(name)
        .email(format!("{name}@example.com"))
        .send()
        .await
        .expect("create account")
        .create_account_status()
        .unwrap()
        .account_id()
        .unwrap()
        .to_owned();
    org.move_account()
        .account_id(&id)
        .source_parent_id(root_id)
        .destination_parent_id(ou_id)
        .send()
        .await
        .expect("move account");
    id
}

/// A baseline written to a temporary directory (with any policy files), then loaded.
pub struct TempBaseline {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempBaseline {
    pub fn new(toml: &str, files: &[(&str, &str)]) -> TempBaseline {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let path = dir.path().join("baseline.toml");
        std::fs::write(&path, toml).unwrap();
        TempBaseline { dir, path }
    }

    /// Replace the baseline text, keeping the policy files.
    pub fn rewrite(&self, toml: &str) {
        std::fs::write(&self.path, toml).unwrap();
    }

    pub fn load(&self) -> Baseline {
        baseline::load(&self.path).unwrap_or_else(|d| panic!("{d}"))
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Live SCPs by name: (id, content, tags, targets).
pub struct LiveScp {
    pub id: String,
    pub content: String,
    pub owned: bool,
    pub targets: Vec<String>,
}

pub async fn live_scp(org: &aws_sdk_organizations::Client, name: &str) -> Option<LiveScp> {
    live_policy(org, PolicyType::ServiceControlPolicy, name).await
}

/// A policy of any type by name, read straight from the emulator.
pub async fn live_policy(org: &aws_sdk_organizations::Client, policy_type: PolicyType, name: &str) -> Option<LiveScp> {
    let list = org.list_policies().filter(policy_type).send().await.unwrap();
    let summary = list.policies().iter().find(|p| p.name() == Some(name))?;
    let id = summary.id().unwrap().to_owned();
    let content = org
        .describe_policy()
        .policy_id(&id)
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .content()
        .unwrap()
        .to_owned();
    let tags = org.list_tags_for_resource().resource_id(&id).send().await.unwrap();
    let owned = tags
        .tags()
        .iter()
        .any(|t| t.key() == "managed-by" && t.value() == "plinth");
    let mut targets: Vec<String> = org
        .list_targets_for_policy()
        .policy_id(&id)
        .send()
        .await
        .unwrap()
        .targets()
        .iter()
        .map(|t| t.target_id().unwrap().to_owned())
        .collect();
    targets.sort();
    Some(LiveScp {
        id,
        content,
        owned,
        targets,
    })
}

/// The emulator's IAM Identity Center instance and a raw admin client, for seeding and
/// for drift made out of band.
pub struct IdentityCenter {
    pub admin: aws_sdk_ssoadmin::Client,
    pub store: aws_sdk_identitystore::Client,
    pub instance_arn: String,
    pub store_id: String,
}

impl IdentityCenter {
    pub async fn of(emu: &Emulator) -> IdentityCenter {
        let conf = emu.sdk_config().await;
        let admin = aws_sdk_ssoadmin::Client::new(&conf);
        let store = aws_sdk_identitystore::Client::new(&conf);
        let out = admin.list_instances().send().await.expect("list instances");
        let instance = &out.instances()[0];
        IdentityCenter {
            instance_arn: instance.instance_arn().unwrap().to_owned(),
            store_id: instance.identity_store_id().unwrap().to_owned(),
            admin,
            store,
        }
    }

    pub async fn create_group(&self, name: &str) -> String {
        self.store
            .create_group()
            .identity_store_id(&self.store_id)
            .display_name(name)
            .send()
            .await
            .expect("create group")
            .group_id()
            .to_owned()
    }

    pub async fn create_user(&self, name: &str) -> String {
        self.store
            .create_user()
            .identity_store_id(&self.store_id)
            .user_name(name)
            .display_name(name)
            .name(
                aws_sdk_identitystore::types::Name::builder()
                    .given_name(name)
                    .family_name("Example")
                    .build(),
            )
            .send()
            .await
            .expect("create user")
            .user_id()
            .to_owned()
    }

    /// The ARN of the permission set with this name.
    pub async fn permission_set(&self, name: &str) -> Option<String> {
        let out = self
            .admin
            .list_permission_sets()
            .instance_arn(&self.instance_arn)
            .max_results(100)
            .send()
            .await
            .unwrap();
        for arn in out.permission_sets() {
            let ps = self
                .admin
                .describe_permission_set()
                .instance_arn(&self.instance_arn)
                .permission_set_arn(arn)
                .send()
                .await
                .unwrap();
            if ps.permission_set().and_then(|p| p.name()) == Some(name) {
                return Some(arn.clone());
            }
        }
        None
    }
}

/// After a run interrupted or disturbed anywhere: nothing was made twice, and everything
/// plinth's names mark carries plinth's tag, so a later run sees it as its own.
pub async fn assert_one_of_each(emu: &Emulator) {
    use std::collections::BTreeMap;
    let org = emu.organizations().await;
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    let policies = org
        .list_policies()
        .filter(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    for p in policies.policies() {
        *names.entry(format!("scp {}", p.name().unwrap())).or_default() += 1;
        if p.name().unwrap().starts_with("plinth-") {
            assert!(
                live_scp(&org, p.name().unwrap()).await.unwrap().owned,
                "{} has no plinth tag",
                p.name().unwrap()
            );
        }
    }
    let accounts = org.list_accounts().send().await.unwrap();
    for a in accounts.accounts() {
        *names.entry(format!("account {}", a.email().unwrap())).or_default() += 1;
    }
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let mut parents = vec![root];
    while let Some(parent) = parents.pop() {
        let ous = org
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .send()
            .await
            .unwrap();
        for ou in ous.organizational_units() {
            *names.entry(format!("ou {parent}/{}", ou.name().unwrap())).or_default() += 1;
            parents.push(ou.id().unwrap().to_owned());
        }
    }
    let ic = IdentityCenter::of(emu).await;
    let sets = ic
        .admin
        .list_permission_sets()
        .instance_arn(&ic.instance_arn)
        .max_results(100)
        .send()
        .await
        .unwrap();
    for arn in sets.permission_sets() {
        let ps = ic
            .admin
            .describe_permission_set()
            .instance_arn(&ic.instance_arn)
            .permission_set_arn(arn)
            .send()
            .await
            .unwrap();
        *names
            .entry(format!(
                "permission set {}",
                ps.permission_set().unwrap().name().unwrap()
            ))
            .or_default() += 1;
    }
    let twice: Vec<_> = names.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "made more than once: {twice:?}");
}

/// AWS managed policies moto knows, for the benchmarks' permission sets.
#[allow(dead_code)]
pub const MANAGED_POLICIES: &[&str] = &[
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "SecurityAudit",
    "AmazonS3ReadOnlyAccess",
    "AmazonEC2ReadOnlyAccess",
    "IAMReadOnlyAccess",
    "AmazonVPCReadOnlyAccess",
    "AmazonRDSReadOnlyAccess",
    "AmazonDynamoDBReadOnlyAccess",
];

/// Samples the process's anonymous resident memory (`RssAnon`: heap and stacks, not the
/// executable's code, which a dev-profile build makes several times larger than a
/// release one) every 20 ms, keeping the peak, until dropped.
#[allow(dead_code)]
pub struct HeapSampler {
    peak_kb: std::sync::Arc<std::sync::atomic::AtomicU64>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

#[allow(dead_code)]
impl HeapSampler {
    pub fn start() -> HeapSampler {
        use std::sync::atomic::Ordering;
        let peak_kb = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (p, s) = (peak_kb.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if let Some(kb) = status_kb("RssAnon:") {
                    p.fetch_max(kb, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        HeapSampler { peak_kb, stop }
    }

    /// The peak so far, in MB.
    pub fn peak_mb(&self) -> f64 {
        let now = status_kb("RssAnon:").unwrap_or(0);
        self.peak_kb
            .fetch_max(now, std::sync::atomic::Ordering::Relaxed)
            .max(now) as f64
            / 1024.0
    }
}

impl Drop for HeapSampler {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim()
        .trim_end_matches(" kB")
        .trim()
        .parse()
        .ok()
}

/// The process's peak resident memory, from Linux's `/proc/self/status` (`VmHWM`).
#[allow(dead_code)]
pub fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches(" kB")
        .trim()
        .parse()
        .ok()?;
    Some(format!("{:.1} MB", kb as f64 / 1024.0))
}

/// The example baseline and its policy files, in a temporary directory.
#[allow(dead_code)]
pub fn example_baseline() -> TempBaseline {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("baselines");
    let text = std::fs::read_to_string(repo.join("example.toml")).unwrap();
    let files = example_policy_files();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    TempBaseline::new(&text, &files)
}

/// Every file in `baselines/policies/`, as (`policies/<name>`, content).
#[allow(dead_code)]
pub fn example_policy_files() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("baselines/policies");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (format!("policies/{name}"), std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The demo's organization: OUs, three accounts, groups and a user.
#[allow(dead_code)]
pub fn seed_demo(emu: &Emulator) {
    let out = Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/demo_org.py"))
        .args([&emu.endpoint, "seed"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `plinth import` of every kind into `dir`, as `plinth import --dir DIR` runs it; panics
/// with the diagnostic when import fails.
pub async fn import_into(session: &plinth::engine::Session, dir: &std::path::Path) -> plinth::import::ImportReport {
    plinth::import::import(
        session,
        &plinth::import::ImportOptions {
            dir: dir.to_owned(),
            only: vec![],
            include_others: false,
            home_region: plinth::types::Region::us_east_1(),
        },
    )
    .await
    .unwrap_or_else(|d| panic!("{d}"))
}
