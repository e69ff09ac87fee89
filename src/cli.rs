//! Command-line interface definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Examples:
  plinth validate                         check baseline.toml offline, show the generated SCPs
  plinth plan --format markdown           the plan as a pull-request comment
  plinth plan --detailed-exitcode         exit 0: no changes, 2: changes, 1: error
  plinth apply                            show the plan, ask, then apply it
  plinth apply --auto-approve             apply without asking (CI, schedulers)
  plinth plan --out plan.json             save the plan for review ...
  plinth apply plan.json                  ... and apply exactly that plan later
  plinth show plan.json                   print a saved plan again (no AWS call)
  plinth reconcile                        one scheduled pass: repair guardrail drift only
  plinth reconcile --repair scp,billing   ... SCP and billing drift only
  plinth bootstrap                        a fresh management account: organization, then baseline
  plinth force-unlock plinth/o-abc123     free the apply lock a crashed run left (asks first)
  plinth schema > baseline.schema.json    the baseline's JSON Schema, for editors
  plinth iam-policy apply                 the least-privilege policy of the role that applies

Interrupts: the first Ctrl-C or SIGTERM during an apply starts no new change, lets those
in flight finish, releases the apply lock and exits 130 (SIGTERM: 143); a second one
aborts at once.

Credentials come from the standard AWS chain (environment, profile, SSO, web identity,
instance metadata), never from the baseline. They must belong to the organization's
management account.";

const RECONCILE_EXAMPLES: &str = "\
Examples:
  plinth reconcile --every 1h             the guardrails, every hour (as deploy/ ships it)
  plinth reconcile --repair none          report drift, change nothing
  plinth reconcile --repair contacts,root_access --every 24h
                                          the kinds read per account, daily: root access
                                          turned on, root credentials reported, not deleted
  plinth reconcile --repair root_access --allow-remove-root-credentials
                                          a person, once: delete them (the accounts in
                                          `keep_root_credentials` keep theirs)";

#[derive(Debug, Parser)]
#[command(
    name = "plinth",
    version,
    about = "Keep an AWS organization matching a declarative TOML baseline",
    long_about = "plinth reads the live state of an AWS organization, compares it with the baseline \
                  (service control policies, organizational units, and more), shows the plan, and \
                  applies exactly those corrections. A converged organization gets an empty plan \
                  and no write call.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The baseline file
    #[arg(
        short = 'f',
        long = "baseline",
        global = true,
        default_value = "baseline.toml",
        value_name = "FILE"
    )]
    pub baseline: PathBuf,
    /// Send every AWS call to this endpoint, such as a local emulator (the SDK's
    /// AWS_ENDPOINT_URL works too)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// AWS profile from the shared config files (AWS_PROFILE works too)
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Format of the logs written to standard error
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// More logging: -v for plinth's debug logs, -vv for the SDK's too
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on standard error, no progress
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Give up on an AWS call that has not succeeded within DURATION, retries included
    /// (an endpoint that never answers fails within it)
    #[arg(long, global = true, value_name = "DURATION", default_value = "90s", value_parser = positive_duration)]
    pub timeout: humantime::Duration,
    /// Call SERVICE at most N times per second, below AWS's published quota, when other
    /// tools share the account's budget (repeatable; SERVICE as in IAM: organizations,
    /// sso, cloudwatch, cloudtrail, sns, s3, logs, iam, dynamodb, sts, budgets, account)
    #[arg(long, global = true, value_name = "SERVICE=N", value_parser = max_rate)]
    pub max_rate: Vec<(String, f64)>,
}

/// `SERVICE=N`: a service plinth calls, and a rate above zero.
fn max_rate(s: &str) -> Result<(String, f64), String> {
    let (service, rate) = s
        .split_once('=')
        .ok_or_else(|| format!("expected SERVICE=N, such as `cloudwatch=1`, not `{s}`"))?;
    // Each service's budget by the one name the service table gives it.
    let names = plinth::types::service::Service::max_rate_names();
    if !names.contains(&service) {
        return Err(format!("unknown service `{service}`; one of {}", names.join(", ")));
    }
    let rate: f64 = rate
        .parse()
        .map_err(|_| format!("`{rate}` is not a number of calls per second"))?;
    if !(rate.is_finite() && rate > 0.0) {
        return Err(format!("the rate must be above zero, not `{rate}`"));
    }
    Ok((service.to_owned(), rate))
}

/// A duration above zero.
fn positive_duration(s: &str) -> Result<humantime::Duration, String> {
    let d: humantime::Duration = s.parse().map_err(|e: humantime::DurationError| e.to_string())?;
    if d.is_zero() {
        return Err("must be longer than zero, such as `30m`".into());
    }
    Ok(d)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// For people at a terminal
    Text,
    /// Versioned schema for machines (see README.md)
    Json,
    /// A pull-request comment
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the baseline offline and show the SCPs it generates; makes no AWS call
    Validate,
    /// Read the organization and show what would change
    Plan(PlanArgs),
    /// Plan, show the plan, ask for confirmation, and make the changes
    Apply(ApplyArgs),
    /// Print a plan saved by `plinth plan --out`; reads no baseline and makes no AWS call
    ///
    /// It shows what the file says. `plinth apply PLAN_FILE` does not trust the file: it
    /// plans again and applies only a plan equal to it.
    Show(ShowArgs),
    /// Set up a fresh management account: create the organization (all features) if there
    /// is none, list what only the console can do, then apply the baseline
    ///
    /// Running it again changes nothing.
    Bootstrap(BootstrapArgs),
    /// Find drift and repair the kinds allowed, once or every DURATION; for schedulers
    ///
    /// By default a pass repairs the guardrails only: policies, the trail, alarms. Whatever
    /// `--repair` names, it never adopts, detaches or deletes, creates or moves an account,
    /// or deletes root credentials unless an `--allow-*` flag below names that write: such changes,
    /// and those that wait for them, are reported as not repaired, with the flag they need.
    ///
    /// Each pass ends with one summary record on standard output (JSON with `--log-format
    /// json`), listing every change not repaired and why. Exit code of a single pass: 0 no
    /// drift, 2 drift found (and every allowed repair succeeded), 1 error or a failed repair.
    #[command(after_help = RECONCILE_EXAMPLES)]
    Reconcile(ReconcileArgs),
    /// Read the live organization and write a baseline that describes it, for adopting an
    /// organization that already exists
    ///
    /// Writes DIR/baseline.toml and its policy files under DIR/policies/; reads only, makes
    /// no change. Review the file, then `plinth plan -f DIR/baseline.toml`: what matches
    /// but lacks plinth's tag shows as `adopt`, and `plinth apply` adds the tag and nothing
    /// else. What another tool manages (AWS Control Tower, CloudFormation stacks) is left
    /// out and listed at the end of the file. Running it again gives the same bytes.
    Import(ImportArgs),
    /// Write the organization's access report: who can reach which account, with which
    /// permission set, under which guardrails
    ///
    /// Reads the organization whole (every OU and account, every policy of every type and
    /// where it is attached, AWS's own included; each account's effective policy of each
    /// management policy type enabled on the root; the trails; the billing alarms; IAM
    /// Identity Center's permission sets and assignments) and makes no change. The HTML
    /// report is one file that opens offline: a collapsible OU tree with the policies in
    /// force on every OU and account and each account's effective policies folded under
    /// it, and an access matrix that filters by group or user,
    /// OU and account, with a search box; filters can be linked to
    /// (`report.html#principal=group:developers&ou=Workloads`). Needs the management
    /// account's credentials; reads no baseline.
    Report(ReportArgs),
    /// Print the baseline's JSON Schema, for editors to complete keys and flag mistakes
    ///
    /// Point a baseline at it with a first line `#:schema ./baseline.schema.json` (Taplo,
    /// Even Better TOML). Reads no baseline and makes no AWS call.
    Schema,
    /// Free the apply lock a crashed run left behind, after showing who holds it
    ///
    /// LOCK_ID is the one an apply that waited in vain names (`plinth/<organization id>`).
    /// Only for a run that is certainly gone: a lock nobody renews is taken over by itself
    /// once its lease (60 s) passes, and one held by a dead process on the same host at once.
    ForceUnlock(ForceUnlockArgs),
    /// Print the least-privilege IAM policy plinth's role needs for this baseline
    ///
    /// `plan`: the read-only policy of `validate`, `plan`, `import` and a drift check
    /// (`reconcile --repair none`). `apply`: the policy of `apply` and `reconcile`. Every
    /// action is one plinth calls (or AWS checks behind one); writes are limited to the
    /// resources plinth names itself (the trail's log role `plinth-cloudtrail-logs-*`,
    /// passed only to CloudTrail; alarms `plinth-billing-*`; budgets `plinth-*`; the lock
    /// table) and to those the baseline names (its bucket, trail and topic). Only writes
    /// to what AWS names as it creates it (policy, OU and permission-set ids) stay on `*`.
    /// Makes no AWS call.
    #[command(after_help = IAM_POLICY_EXAMPLES)]
    IamPolicy(IamPolicyArgs),
}

const IAM_POLICY_EXAMPLES: &str = "\
Examples:
  plinth iam-policy apply -f baseline.toml > plinth-apply.json
                                          the apply role's policy, scoped to the baseline
  plinth iam-policy plan --generic        the read-only policy deploy/iam/ ships, for any
                                          baseline that keeps plinth's default names";

#[derive(Debug, Args)]
pub struct IamPolicyArgs {
    /// Which role: `plan` (read-only), `apply`, or `log-archive` (the member role in the
    /// log archive account)
    #[arg(value_enum)]
    pub role: IamRole,
    /// Read no baseline: resources the baseline would name (bucket, trail) are wildcards,
    /// and the billing topic is plinth's default `plinth-billing-alerts`; what deploy/iam/ holds
    #[arg(long)]
    pub generic: bool,
    /// The SNS topic `reconcile --notify-topic` publishes to; any topic of the account
    /// otherwise
    #[arg(long, value_name = "ARN")]
    pub notify_topic: Option<String>,
    /// The role of a scheduled `reconcile --repair KINDS` (`guardrails`, `none`, `all`, or
    /// kinds): writes of those kinds only, and no delete or detach without
    /// `--allow-delete`. Without it, the policy of `plinth apply`: every kind's writes
    #[arg(long, value_name = "KINDS")]
    pub repair: Option<plinth::reconcile::Repair>,
    /// With `--repair`: the run deletes and detaches too (`reconcile --allow-delete`)
    #[arg(long, requires = "repair")]
    pub allow_delete: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IamRole {
    /// Read-only: validate, plan, import, drift checks
    Plan,
    /// apply and reconcile
    Apply,
    /// The role plinth assumes in the log archive account (`[organization] member_role`),
    /// if it is not an administrator's there: the buckets' reads and writes
    LogArchive,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Directory to write baseline.toml and policies/ into (created if missing; files of
    /// the same names are replaced)
    #[arg(short = 'o', long = "out", default_value = "imported", value_name = "DIR")]
    pub out: PathBuf,
    // Its help lists the registry's kinds (`only_help`).
    #[arg(long, value_name = "KINDS", value_delimiter = ',', value_parser = kind_name, help = only_help())]
    pub only: Vec<plinth::kinds::KindId>,
    /// Import what another tool manages too (AWS Control Tower, CloudFormation stacks):
    /// plinth would then change it, and the other tool would change it back
    #[arg(long)]
    pub include_managed_by_others: bool,
    /// Where IAM Identity Center lives, written as `home_region`
    #[arg(long, default_value = "us-east-1", value_name = "REGION")]
    pub home_region: String,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// What to write
    #[arg(long, value_enum, default_value = "html")]
    pub format: ReportFormat,
    /// Write the report to FILE instead of standard output
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Where IAM Identity Center lives
    #[arg(long, default_value = "us-east-1", value_name = "REGION")]
    pub home_region: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained page for a browser, offline
    Html,
    /// For a ticket, a wiki page or an audit file
    Markdown,
    /// Versioned schema for machines (see README.md)
    Json,
}

/// Every kind's name, in planning order: what `--only` and `--repair` take, listed from
/// the registry, so a new kind appears in `--help` by its registry line alone.
fn all_kinds() -> String {
    plinth::kinds::NAMES.join(", ")
}

fn only_help() -> String {
    format!("Only these kinds (baseline sections), comma-separated: {}", all_kinds())
}

/// `reconcile --repair`'s help: the guardrails (each with the kinds it repairs too) and
/// every kind, from the registry.
fn repair_help() -> String {
    use plinth::kinds::KindId;
    let guardrails: Vec<String> = KindId::ALL
        .iter()
        .filter(|k| k.guardrail())
        .map(|&k| {
            let with: Vec<&str> = KindId::ALL
                .iter()
                .filter(|&&o| o != k && o.repaired_with() == k)
                .map(|o| o.name())
                .collect();
            match with.is_empty() {
                true => k.name().to_owned(),
                false => format!("{k} with {}", with.join(", ")),
            }
        })
        .collect();
    format!(
        "What to repair: `guardrails` (the default: {}), `all`, `none` (report only), or a list of kinds (baseline sections), which may include `guardrails`: {}. A list also limits the reads made per account (contacts, root_access's audit) to the kinds it names",
        guardrails.join(", "),
        all_kinds()
    )
}

/// One of the registry's kinds, by name.
fn kind_name(s: &str) -> Result<plinth::kinds::KindId, String> {
    s.parse().map_err(|e: plinth::kinds::id::UnknownKind| e.to_string())
}

#[derive(Debug, Args)]
pub struct ForceUnlockArgs {
    /// The lock, as `plinth/<organization id>`
    #[arg(value_name = "LOCK_ID")]
    pub lock_id: String,
    /// Do not ask for confirmation
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// Create the organization and apply without asking; required when standard input is
    /// not a terminal
    #[arg(long)]
    pub auto_approve: bool,
    /// Format of the plan and report on standard output
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// How long to wait for another run's apply lock (0 fails at once)
    #[arg(long, value_name = "DURATION", default_value = "2m")]
    pub lock_timeout: humantime::Duration,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    // Its help lists the registry's kinds and guardrails (`repair_help`).
    #[arg(long, default_value = "guardrails", value_name = "KINDS", help = repair_help())]
    pub repair: plinth::reconcile::Repair,
    /// Take over resources that exist under a name the baseline declares but lack plinth's
    /// tag (`=` changes), and make the changes that wait for them
    #[arg(long, help_heading = ALLOW_HEADING)]
    pub allow_adopt: bool,
    /// Delete resources plinth manages that left the baseline (SCPs and other policies,
    /// billing alarms, budgets, permission sets with their assignments), and detach
    /// policies from targets the baseline no longer names; without it they are kept (and
    /// counted as orphans), and every policy stays attached
    #[arg(long, help_heading = ALLOW_HEADING)]
    pub allow_delete: bool,
    /// Create the `[[account]]`s that are missing and move accounts into the OU the
    /// baseline gives them (a move changes the policies an account is under)
    #[arg(long, help_heading = ALLOW_HEADING)]
    pub allow_account_changes: bool,
    /// Delete member accounts' root credentials as `remove_root_credentials` asks (never
    /// those of the accounts in `keep_root_credentials`); without it, `--repair
    /// root_access` only turns the features on
    #[arg(long, help_heading = ALLOW_HEADING)]
    pub allow_remove_root_credentials: bool,
    /// Run a pass every DURATION (like `30m` or `6h`) until stopped, instead of once; after
    /// a failed pass the next comes sooner, backing off from a tenth of DURATION. The first
    /// SIGINT or SIGTERM stops it between passes
    #[arg(long, value_name = "DURATION", value_parser = positive_duration)]
    pub every: Option<humantime::Duration>,
    /// Publish each pass's summary to this SNS topic when it found drift or failed
    #[arg(long, value_name = "TOPIC_ARN")]
    pub notify_topic: Option<String>,
    /// How long to wait for another run's apply lock (0 fails at once)
    #[arg(long, value_name = "DURATION", default_value = "2m")]
    pub lock_timeout: humantime::Duration,
}

/// Where `reconcile --help` lists the writes a pass makes only when named.
const ALLOW_HEADING: &str = "Writes made only when named (whatever --repair says)";

impl ReconcileArgs {
    pub fn allow(&self) -> plinth::reconcile::Allow {
        plinth::reconcile::Allow {
            adopt: self.allow_adopt,
            delete: self.allow_delete,
            account_changes: self.allow_account_changes,
            remove_root_credentials: self.allow_remove_root_credentials,
        }
    }
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// How to print the plan on standard output
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Exit 0 when there are no changes, 2 when there are, 1 on error
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Plan the deletion of resources plinth manages that left the baseline (SCPs and other
    /// policies, billing alarms, budgets, permission sets with their assignments)
    #[arg(long)]
    pub allow_delete: bool,
    /// Also save the plan, with fingerprints of the baseline and live state, for
    /// `plinth apply FILE`
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub comment: CommentArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan saved by `plinth plan --out`
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: PathBuf,
    /// How to print the plan on standard output
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    #[command(flatten)]
    pub comment: CommentArgs,
}

/// How long a Markdown plan may be, for a pull-request comment.
#[derive(Debug, Default, Args)]
pub struct CommentArgs {
    /// With `--format markdown`: at most N characters (a GitHub comment holds 65536),
    /// keeping the title, the summary and as many whole sections and changes as fit, and
    /// ending with a note of what was left out
    #[arg(long, value_name = "N", value_parser = max_chars)]
    pub max_chars: Option<usize>,
    /// Where the full plan is kept (a CI artifact's name, a file), named by the note that
    /// ends a plan cut by `--max-chars`
    #[arg(long, value_name = "WHERE", requires = "max_chars")]
    pub full_plan: Option<String>,
}

/// A comment size plinth can keep: room for the title, the summary and the closing note.
fn max_chars(s: &str) -> Result<usize, String> {
    let n: usize = s.parse().map_err(|_| format!("`{s}` is not a number of characters"))?;
    let min = plinth::render::markdown::MIN_CHARS;
    if n < min {
        return Err(format!(
            "at least {min} characters: the title, the summary and the closing note need them"
        ));
    }
    Ok(n)
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved by `plinth plan --out`: plinth plans again and applies only if the new
    /// plan equals the saved one change for change; otherwise it refuses, writing nothing,
    /// and exits 3
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: Option<PathBuf>,
    /// With PLAN_FILE: accept a baseline whose files are not those the plan was made from
    /// (the default branch moved on after the pull request was planned) when the plan made
    /// now still equals the saved one change for change: what is applied is still exactly
    /// the saved plan
    #[arg(long, requires = "plan_file")]
    pub baseline_may_differ: bool,
    /// Apply without asking; required when standard input is not a terminal
    #[arg(long)]
    pub auto_approve: bool,
    /// Delete resources plinth manages that left the baseline (SCPs and other policies,
    /// billing alarms, budgets, permission sets with their assignments); they are kept
    /// otherwise. With PLAN_FILE, needed when the plan was saved with it
    #[arg(long)]
    pub allow_delete: bool,
    /// Format of the plan and report on standard output
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// How long to wait for another run's apply lock (0 fails at once)
    #[arg(long, value_name = "DURATION", default_value = "2m")]
    pub lock_timeout: humantime::Duration,
}
