//! One reconcile pass, step by step: check who we are and which organization this is,
//! read the live state, plan, and (when asked) apply through the adapters.

use crate::apply::{self, ApplyReport, Executor};
use crate::aws::cloudtrail::CloudTrail;
use crate::aws::cloudwatch::CloudWatch;
use crate::aws::dynamodb::Dynamo;
use crate::aws::iam::Iam;
use crate::aws::logs::Logs;
use crate::aws::organizations::{OrgSummary, Organizations, ReadScope};
use crate::aws::s3::S3;
use crate::aws::sns::Sns;
use crate::aws::sso::{Sso, SsoScope};
use crate::aws::sts::{CallerIdentity, Sts};
use crate::aws::{Aws, AwsError, ConnectOptions};
use crate::baseline::sso::SsoSection;
use crate::baseline::{Baseline, OuPath, Target};
use crate::diag::{Diagnostic, Diagnostics};
use crate::observed::{BillingState, Observed, SsoState, TrailState};
use crate::plan::{self, Change, Op, Plan, PlanOptions, Ref};

/// Changes of services other than IAM Identity Center that run at once (Organizations
/// and IAM throttle hard; the SDK's retries absorb the rest).
const OTHER_CHANGES_AT_ONCE: usize = 4;

/// Clients for one run, all reporting to one call counter.
pub struct Session {
    pub aws: Aws,
    organizations: Organizations,
    sts: Sts,
    cloudwatch: CloudWatch,
    sns: Sns,
    cloudtrail: CloudTrail,
    s3: S3,
    logs: Logs,
    iam: Iam,
    dynamo: Dynamo,
    /// At most this many changes of services other than IAM Identity Center at once.
    others: tokio::sync::Semaphore,
    /// IAM Identity Center clients by region (the instance's), made when first needed.
    sso: std::sync::Mutex<std::collections::BTreeMap<String, std::sync::Arc<Sso>>>,
}

impl Session {
    pub async fn connect(options: &ConnectOptions) -> Session {
        Session::new(Aws::connect(options).await)
    }

    pub fn new(aws: Aws) -> Session {
        Session {
            organizations: aws.organizations(),
            sts: aws.sts(),
            cloudwatch: aws.cloudwatch_us_east_1(),
            sns: aws.sns_us_east_1(),
            cloudtrail: aws.cloudtrail_us_east_1(),
            s3: aws.s3_us_east_1(),
            logs: aws.logs_us_east_1(),
            iam: aws.iam(),
            dynamo: aws.dynamodb_us_east_1(),
            sso: Default::default(),
            others: tokio::sync::Semaphore::new(OTHER_CHANGES_AT_ONCE),
            aws,
        }
    }

    /// Refuse to go on unless the credentials are the management account's of an
    /// organization with all features. Makes only read calls.
    pub async fn preflight(&self, baseline: &Baseline) -> Result<OrgSummary, Diagnostics> {
        let identity = self
            .sts
            .caller_identity()
            .await
            .map_err(|e| self.failure("cannot find out who the credentials belong to", e))?;
        tracing::info!(account = %identity.account, arn = %identity.arn, "credentials");
        check_identity(baseline, &identity)?;
        let summary = self
            .organizations
            .describe_organization()
            .await
            .map_err(|e| self.failure("cannot describe the organization", e))?;
        Ok(check_organization(baseline, summary)?)
    }

    /// For `plinth bootstrap`: the organization, created (with all features) when the
    /// management account has none and `confirm` agrees. Returns it and whether it is new.
    pub async fn ensure_organization(
        &self,
        baseline: &Baseline,
        confirm: impl FnOnce() -> Result<(), Diagnostics>,
    ) -> Result<(OrgSummary, bool), Diagnostics> {
        let identity = self
            .sts
            .caller_identity()
            .await
            .map_err(|e| self.failure("cannot find out who the credentials belong to", e))?;
        check_identity(baseline, &identity)?;
        let existing = self
            .organizations
            .describe_organization()
            .await
            .map_err(|e| self.failure("cannot describe the organization", e))?;
        if existing.is_some() {
            return Ok((check_organization(baseline, existing)?, false));
        }
        confirm()?;
        let created = self
            .organizations
            .create_organization()
            .await
            .map_err(|e| self.failure("cannot create the organization", e))?;
        tracing::info!(organization = %created.id, "created the organization");
        Ok((created, true))
    }

    /// Read what the plan compares with.
    pub async fn observe(&self, baseline: &Baseline, summary: &OrgSummary) -> Result<Observed, Diagnostics> {
        let (desired, _) = crate::baseline::scp::desired_scps(baseline);
        let scope = ReadScope {
            scp_names: desired.iter().map(|d| d.name.clone()).collect(),
            targets: desired
                .iter()
                .flat_map(|d| d.attach.iter().map(|t| t.get_ref().clone()))
                .collect(),
            accounts: baseline
                .file
                .account
                .iter()
                .map(|a| {
                    (
                        a.get_ref().email.get_ref().to_string(),
                        a.get_ref().name.get_ref().to_string(),
                    )
                })
                .collect(),
            member_ous: baseline.sso().map(targeted_ous).unwrap_or_default(),
        };
        tracing::info!("reading the organization");
        let org = self
            .organizations
            .read(summary, &scope)
            .await
            .map_err(|e| self.failure("cannot read the organization", e))?;
        tracing::info!(
            ous = org.ous.len(),
            accounts = org.accounts.len(),
            scps = org.scps.len(),
            "read the organization"
        );
        // Boxed: these futures are large, and a deep call chain holds them all.
        let billing = Box::pin(self.observe_billing(baseline, &summary.management_account_id)).await?;
        let trail = Box::pin(self.observe_trail(baseline, &summary.management_account_id)).await?;
        let sso = Box::pin(self.observe_sso(baseline)).await?;
        Ok(Observed {
            org,
            billing,
            trail,
            sso,
        })
    }

    fn sso(&self, region: &str) -> std::sync::Arc<Sso> {
        let mut clients = self.sso.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        clients
            .entry(region.to_owned())
            .or_insert_with(|| std::sync::Arc::new(self.aws.sso(region)))
            .clone()
    }

    /// IAM Identity Center, when the baseline has `[sso]`.
    async fn observe_sso(&self, baseline: &Baseline) -> Result<SsoState, Diagnostics> {
        let Some(section) = baseline.sso() else {
            return Ok(SsoState::default());
        };
        tracing::info!("reading IAM Identity Center");
        let state = self
            .sso(baseline.home_region().as_str())
            .read(&sso_scope(section))
            .await
            .map_err(|e| self.failure("cannot read IAM Identity Center", e))?;
        tracing::info!(
            permission_sets = state.permission_sets.len(),
            assignments = state.assignments.len(),
            "read IAM Identity Center"
        );
        Ok(state)
    }

    /// The trail, its bucket and trusted access, when the baseline has `[trail]`.
    async fn observe_trail(&self, baseline: &Baseline, account: &str) -> Result<TrailState, Diagnostics> {
        use crate::plan::trail::SERVICE_PRINCIPAL;
        let Some(section) = &baseline.file.trail else {
            return Ok(TrailState::default());
        };
        let t = section.get_ref();
        let (trusted_access, bucket, trail) = futures::try_join!(
            self.organizations.has_trusted_access(SERVICE_PRINCIPAL),
            self.s3.read_bucket(t.bucket.get_ref().as_str()),
            self.cloudtrail.read_trail(t.name.get_ref().as_str())
        )
        .map_err(|e| self.failure("cannot read the organization trail", e))?;
        let mut state = TrailState {
            trusted_access,
            bucket,
            trail,
            ..TrailState::default()
        };
        if t.cloudwatch_logs() {
            self.observe_trail_logs(t, account, &mut state)
                .await
                .map_err(|e| self.failure("cannot read the trail's CloudWatch Logs delivery", e))?;
        }
        Ok(state)
    }

    /// Log group, role, and (with `root_usage_alarm`) metric filter, alarm and topic.
    async fn observe_trail_logs(
        &self,
        t: &crate::baseline::TrailSection,
        account: &str,
        state: &mut TrailState,
    ) -> Result<(), AwsError> {
        use crate::plan::trail as tr;
        let name = t.name.get_ref().as_str();
        let group = tr::log_group_name(name);
        let role = tr::logs_role_name(name);
        let (log_group, logs_role) = futures::try_join!(
            self.logs.read_log_group(&group),
            self.iam.read_role(&role, tr::LOGS_ROLE_POLICY_NAME)
        )?;
        state.log_group = log_group;
        state.logs_role = logs_role;
        if t.root_usage_alarm() {
            let topic_arn = crate::plan::topic::topic_arn(account, tr::ALERT_TOPIC);
            let declared = [tr::ROOT_ALARM.to_owned()];
            let (filter, alarms, topic) = futures::try_join!(
                async {
                    match state.log_group {
                        Some(_) => self.logs.read_metric_filter(&group, tr::ROOT_FILTER_NAME).await,
                        None => Ok(None),
                    }
                },
                self.cloudwatch.read_alarms(tr::ROOT_ALARM, &declared),
                async {
                    if t.notify.is_empty() {
                        Ok(None)
                    } else {
                        self.sns.read_topic(&topic_arn).await
                    }
                }
            )?;
            state.root_usage_filter = filter;
            state.root_usage_alarm = alarms.into_iter().map(|a| a.spec).find(|a| a.name == tr::ROOT_ALARM);
            state.alert_topic = topic;
        }
        Ok(())
    }

    /// plinth's billing alarms (always: orphans must show even if `[billing]` is gone),
    /// and the topic and billing metric when the baseline has `[billing]`.
    async fn observe_billing(&self, baseline: &Baseline, account: &str) -> Result<BillingState, Diagnostics> {
        use crate::plan::billing;
        let fail = |e| self.failure("cannot read the billing alarms", e);
        let section = baseline.file.billing.as_ref().map(|s| s.get_ref());
        let declared: Vec<String> = section
            .map(|b| {
                b.alarm
                    .iter()
                    .map(|a| billing::alarm_name(a.get_ref().name.get_ref().as_str()))
                    .collect()
            })
            .unwrap_or_default();
        let alarms = self.cloudwatch.read_alarms(billing::ALARM_PREFIX, &declared);
        let Some(section) = section else {
            return Ok(BillingState {
                alarms: alarms.await.map_err(fail)?,
                ..BillingState::default()
            });
        };
        let arn = crate::plan::topic::topic_arn(account, section.topic_name.get_ref().as_str());
        let (alarms, topic, visible) = futures::try_join!(
            alarms,
            self.sns.read_topic(&arn),
            self.cloudwatch.billing_metrics_visible()
        )
        .map_err(fail)?;
        Ok(BillingState {
            alarms,
            topic,
            billing_metrics_visible: visible,
        })
    }

    /// Preflight, read, plan.
    pub async fn plan(&self, baseline: &Baseline, options: PlanOptions) -> Result<Plan, Diagnostics> {
        Ok(self.observe_and_plan(baseline, options).await?.1)
    }

    /// Preflight, read, plan; with the observed state the plan was computed from.
    pub async fn observe_and_plan(
        &self,
        baseline: &Baseline,
        options: PlanOptions,
    ) -> Result<(Observed, Plan), Diagnostics> {
        let summary = Box::pin(self.preflight(baseline)).await?;
        let observed = Box::pin(self.observe(baseline, &summary)).await?;
        let plan = plan::compute(baseline, &observed, options)?;
        Ok((observed, plan))
    }

    /// Tell people about drift on an SNS topic.
    pub async fn notify(&self, topic_arn: &str, subject: &str, message: &str) -> Result<(), Diagnostics> {
        self.sns
            .publish(topic_arn, subject, message)
            .await
            .map_err(|e| self.failure("cannot publish the drift notification", e))
    }

    /// Apply under the organization's apply lock: take it, read and plan again (another
    /// run may have changed things while this one waited), let `decide` pick what to
    /// apply from the fresh state (or refuse), apply it, and release the lock.
    pub async fn apply_locked(
        &self,
        baseline: &Baseline,
        options: PlanOptions,
        organization_id: &str,
        lock_options: crate::lock::LockOptions,
        decide: impl FnOnce(&Observed, Plan) -> Result<Plan, Diagnostics>,
    ) -> Result<ApplyReport, Diagnostics> {
        // A first interrupt from here on lets the work finish and the lock go.
        let _protect = crate::shutdown::protect();
        let held = Box::pin(crate::lock::acquire(&self.dynamo, organization_id, lock_options)).await?;
        let result = async {
            let (observed, now) = Box::pin(self.observe_and_plan(baseline, options)).await?;
            let plan = decide(&observed, now)?;
            let gate = || crate::shutdown::stop_reason().or_else(|| held.check().err());
            Ok(Box::pin(apply::apply(&plan, self, &gate)).await)
        }
        .await;
        held.release().await;
        result
    }

    /// Apply without the lock (tests, and the lock's own tests). Stops on an interrupt.
    pub async fn apply(&self, plan: &Plan) -> ApplyReport {
        Box::pin(apply::apply(plan, self, &crate::shutdown::stop_reason)).await
    }

    /// The apply lock table's adapter, for `plinth force-unlock`.
    pub fn dynamo(&self) -> &Dynamo {
        &self.dynamo
    }
}

impl Session {
    /// A failed read or preflight call as a diagnostic; transport failures name the
    /// endpoint they could not reach.
    fn failure(&self, what: &str, e: AwsError) -> Diagnostics {
        let endpoint = self.aws.sdk.endpoint_url();
        aws_failure(what, e.at_endpoint(endpoint), endpoint)
    }
}

impl Executor for Session {
    async fn execute(
        &self,
        change: &Change,
        resolve: &(dyn Fn(&Ref) -> Option<String> + Sync),
    ) -> Result<Option<String>, AwsError> {
        // IAM Identity Center's adapter bounds itself (rate limiter, assignments in flight).
        let _permit = match &change.op {
            Op::Sso(_) => None,
            _ => Some(
                self.others
                    .acquire()
                    .await
                    .map_err(|e| AwsError::other("plinth", "apply", e.to_string()))?,
            ),
        };
        // Boxed: each adapter's future is large, and many run at once.
        let result = match &change.op {
            Op::Sso(op) => Box::pin(self.sso(&op.region).execute(op, resolve)).await,
            Op::Organizations(op) => Box::pin(self.organizations.execute(op, resolve)).await,
            Op::Cloudwatch(op) => Box::pin(self.cloudwatch.execute(op, resolve)).await,
            Op::Sns(op) => Box::pin(self.sns.execute(op)).await,
            Op::S3(op) => Box::pin(self.s3.execute(op)).await,
            Op::Cloudtrail(op) => Box::pin(self.cloudtrail.execute(op)).await,
            Op::Logs(op) => Box::pin(self.logs.execute(op)).await,
            Op::Iam(op) => Box::pin(self.iam.execute(op)).await,
        };
        result.map_err(|e| e.at_endpoint(self.aws.sdk.endpoint_url()))
    }
}

/// What `[sso]` needs read: the names of permission sets, groups and users.
fn sso_scope(section: &SsoSection) -> SsoScope {
    let mut scope = SsoScope::default();
    for ps in &section.permission_set {
        scope.permission_sets.insert(ps.get_ref().name.get_ref().to_string());
    }
    for a in &section.assignment {
        let a = a.get_ref();
        scope.groups.extend(a.groups.iter().map(|g| g.get_ref().to_string()));
        scope.users.extend(a.users.iter().map(|u| u.get_ref().to_string()));
    }
    scope
}

/// The OU paths whose accounts the assignments need (each with everything below it).
fn targeted_ous(section: &SsoSection) -> Vec<OuPath> {
    section
        .assignment
        .iter()
        .flat_map(|a| a.get_ref().targets.get_ref().iter())
        .filter_map(|t| match t.get_ref() {
            Target::Ou(p) => Some(p.clone()),
            _ => None,
        })
        .collect()
}

fn aws_failure(what: &str, e: AwsError, endpoint: Option<&str>) -> Diagnostics {
    if e.no_credentials {
        return Diagnostic::error("no AWS credentials found")
            .cause(e.to_string())
            .hint(
                "plinth uses the standard AWS credential chain: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, \
                 a profile (`--profile` or `AWS_PROFILE`), IAM Identity Center (`aws sso login`), web identity, \
                 or instance metadata",
            )
            .into();
    }
    let hint = match e.code.as_deref() {
        Some("AccessDeniedException" | "AccessDenied") => {
            Some("plinth needs the read permissions listed in README.md".to_owned())
        }
        Some("ExpiredToken" | "ExpiredTokenException" | "InvalidClientTokenId" | "UnrecognizedClientException") => {
            Some("refresh the credentials (for SSO: `aws sso login`) and run again".to_owned())
        }
        None => Some(match endpoint {
            Some(_) => "check the network and `--endpoint-url`".to_owned(),
            None => "check the network, the region and any proxy (`HTTPS_PROXY`)".to_owned(),
        }),
        _ => None,
    };
    let d = Diagnostic::error(what.to_owned()).cause(e.to_string());
    match hint {
        Some(h) => d.hint(h).into(),
        None => d.into(),
    }
}

/// The credentials must belong to the baseline's management account.
pub fn check_identity(baseline: &Baseline, identity: &CallerIdentity) -> Result<(), Diagnostic> {
    let want = baseline.management_account_id();
    if identity.account == want.as_str() {
        return Ok(());
    }
    Err(Diagnostic::error(format!(
        "the credentials belong to account {}, but the baseline's management account is {want}",
        identity.account
    ))
    .at(&baseline.source, baseline.file.organization.management_account_id.span())
    .cause(format!("caller: {}", identity.arn))
    .hint("run plinth with credentials of the management account (`--profile`, or AWS_PROFILE), or correct `management_account_id`"))
}

/// The organization must exist, be managed from the baseline's account, and have all features.
pub fn check_organization(baseline: &Baseline, summary: Option<OrgSummary>) -> Result<OrgSummary, Diagnostic> {
    let want = baseline.management_account_id();
    let at = baseline.file.organization.management_account_id.span();
    let Some(s) = summary else {
        return Err(Diagnostic::error(format!("account {want} is not in an organization"))
            .at(&baseline.source, at)
            .hint("create one with all features: `aws organizations create-organization --feature-set ALL`"));
    };
    if s.management_account_id != want.as_str() {
        return Err(Diagnostic::error(format!(
            "account {want} is a member of organization {}, not its management account ({})",
            s.id, s.management_account_id
        ))
        .at(&baseline.source, at)
        .hint("SCPs can only be managed from the management account"));
    }
    if !s.all_features {
        return Err(Diagnostic::error(format!(
            "organization {} has consolidated billing features only; SCPs need all features",
            s.id
        ))
        .hint("enable all features (`aws organizations enable-all-features`); every member account must approve"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline;
    use crate::diag::SourceFile;

    fn b() -> Baseline {
        baseline::parse(SourceFile::new(
            "b.toml",
            "[organization]\nmanagement_account_id = \"123456789012\"\n",
        ))
        .unwrap()
    }

    fn summary(mgmt: &str, all: bool) -> OrgSummary {
        OrgSummary {
            id: "o-1".into(),
            management_account_id: mgmt.into(),
            all_features: all,
        }
    }

    #[test]
    fn refuses_other_accounts_and_unsuitable_organizations() {
        let wrong = CallerIdentity {
            account: "999999999999".into(),
            arn: "arn:aws:iam::999999999999:user/x".into(),
        };
        let e = check_identity(&b(), &wrong).unwrap_err().to_string();
        assert!(
            e.contains(
                "the credentials belong to account 999999999999, but the baseline's management account is 123456789012"
            ),
            "{e}"
        );
        assert!(e.contains("b.toml:2:25"), "{e}");

        assert!(
            check_organization(&b(), None)
                .unwrap_err()
                .to_string()
                .contains("is not in an organization")
        );
        assert!(
            check_organization(&b(), Some(summary("111111111111", true)))
                .unwrap_err()
                .to_string()
                .contains("not its management account")
        );
        assert!(
            check_organization(&b(), Some(summary("123456789012", false)))
                .unwrap_err()
                .to_string()
                .contains("consolidated billing features only")
        );
        assert!(check_organization(&b(), Some(summary("123456789012", true))).is_ok());
    }
}
