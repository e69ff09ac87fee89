//! One reconcile pass, step by step: check who we are and which organization this is,
//! read the live state, plan, and (when asked) apply through the adapters.

use crate::apply::{self, ApplyReport, Executor};
use crate::aws::Service;
use crate::aws::clients::Clients;
use crate::aws::dynamodb::Dynamo;
use crate::aws::organizations::OrgSummary;
use crate::aws::sts::{CallerIdentity, Sts};
use crate::aws::{Aws, AwsError, ConnectOptions};
use crate::baseline::Baseline;
use crate::diag::{Diagnostic, Diagnostics};
use crate::kinds::{self, ObserveCx, Observed};
use crate::plan::{Change, Need, Op, Plan, PlanOptions, Ref};
use std::collections::BTreeSet;

/// One run's connection to AWS: the adapters, all reporting to one call counter.
pub struct Session {
    pub aws: Aws,
    clients: Clients,
    sts: Sts,
    dynamo: Dynamo,
    /// The apply's lanes, one per service (`Op::service`), each as wide as the service
    /// table says.
    lanes: std::collections::BTreeMap<Service, std::sync::Arc<tokio::sync::Semaphore>>,
    /// The kinds whose per-account reads this session makes; `None` for all.
    account_reads: Option<std::collections::BTreeSet<crate::kinds::KindId>>,
}

impl Session {
    pub async fn connect(options: &ConnectOptions) -> Session {
        Session::new(Aws::connect(options).await)
    }

    pub fn new(aws: Aws) -> Session {
        Session {
            clients: Clients::new(aws.clone()),
            sts: aws.sts(),
            dynamo: aws.dynamodb_us_east_1(),
            lanes: Service::ALL
                .iter()
                .map(|&s| (s, std::sync::Arc::new(tokio::sync::Semaphore::new(s.lane_width()))))
                .collect(),
            account_reads: None,
            aws,
        }
    }

    /// Make only these kinds' per-account reads (`Kind::observe_accounts`): a scheduled
    /// pass that repairs other kinds skips them, and the kinds' plans say so.
    pub fn with_account_reads(mut self, kinds: Option<std::collections::BTreeSet<crate::kinds::KindId>>) -> Session {
        self.account_reads = kinds;
        self
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
            .clients
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
            .clients
            .organizations
            .describe_organization()
            .await
            .map_err(|e| self.failure("cannot describe the organization", e))?;
        if existing.is_some() {
            return Ok((check_organization(baseline, existing)?, false));
        }
        confirm()?;
        let created = self
            .clients
            .organizations
            .create_organization()
            .await
            .map_err(|e| self.failure("cannot create the organization", e))?;
        tracing::info!(organization = %created.id, "created the organization");
        Ok((created, true))
    }

    /// Read what the plan compares with: the organization's structure once (covering
    /// what every kind needs) and, meanwhile, each kind's own state.
    pub async fn observe(&self, baseline: &Baseline, summary: &OrgSummary) -> Result<Observed, Diagnostics> {
        // Reads the kinds share (trusted access) are made once in this reading, afresh.
        self.clients.organizations.forget_trusted_access().await;
        let scope = kinds::scope(baseline);
        let org = async {
            tracing::info!("reading the organization");
            let org = self
                .clients
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
            Ok(org)
        };
        self.clients
            .use_member_role(baseline.member_role(), baseline.member_external_id());
        let cx = ObserveCx {
            clients: &self.clients,
            baseline,
            account: &summary.management_account_id,
            account_reads: self.account_reads.as_ref(),
        };
        Box::pin(kinds::observe(&cx, org)).await
    }

    /// Preflight, read, plan.
    pub async fn plan(&self, baseline: &Baseline, options: PlanOptions) -> Result<Plan, Diagnostics> {
        Ok(self.observe_and_plan(baseline, options).await?.1)
    }

    /// Preflight, read, plan; with the observed state the plan was computed from.
    ///
    /// Planning takes two steps where it pays: the first plan decides from what the
    /// organization read shows, and records what its remaining decisions need read
    /// (`Plan::needs`: a target's attachments for the per-target limit or its last
    /// policy); those reads, and only those, are made, added to the observed state, and
    /// the plan computed again. A converged baseline needs none: one plan, no extra read.
    pub async fn observe_and_plan(
        &self,
        baseline: &Baseline,
        options: PlanOptions,
    ) -> Result<(Observed, Plan), Diagnostics> {
        let summary = Box::pin(self.preflight(baseline)).await?;
        let mut observed = Box::pin(self.observe(baseline, &summary)).await?;
        let first = kinds::compute(baseline, &observed, options)?;
        if first.needs.is_empty() {
            return Ok((observed, first));
        }
        Box::pin(self.read_needs(&mut observed, &first.needs)).await?;
        let plan = settled(kinds::compute(baseline, &observed, options)?)?;
        Ok((observed, plan))
    }

    /// Read what a plan's decisions need (`Plan::needs`) into the observed state.
    async fn read_needs(&self, observed: &mut Observed, needs: &BTreeSet<Need>) -> Result<(), Diagnostics> {
        let wanted: Vec<_> = needs
            .iter()
            .map(|n| match n {
                Need::Attachments { policy_type, target_id } => (*policy_type, target_id.clone()),
            })
            .collect();
        tracing::info!(
            targets = wanted.len(),
            "reading the attachments the plan's decisions need"
        );
        let read = self
            .clients
            .organizations
            .attachments(&wanted)
            .await
            .map_err(|e| self.failure("cannot read what the plan needs", e))?;
        for (policy_type, target_id, ids) in read {
            observed.org.add_attached(policy_type, target_id, ids);
        }
        Ok(())
    }

    /// Tell people about drift on an SNS topic.
    pub async fn notify(&self, topic_arn: &str, subject: &str, message: &str) -> Result<(), Diagnostics> {
        self.clients
            .sns
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
        // From now on every call of this session's clients asks the lock (`aws::fence`):
        // no write is sent once the lease is lapsed, no call at all once it is lost.
        let fenced = self.aws.fence.arm(held.gate());
        let result = async {
            let (observed, now) = Box::pin(self.observe_and_plan(baseline, options)).await?;
            let plan = decide(&observed, now)?;
            // What the plan was computed from is not needed to apply it.
            drop(observed);
            let gate = || crate::shutdown::stop_reason().or_else(|| held.check().err());
            Ok(Box::pin(apply::apply(plan, self, &gate)).await)
        }
        .await;
        drop(fenced);
        held.release().await;
        result
    }

    /// Apply without the lock (tests, and the lock's own tests). Stops on an interrupt.
    /// Applies a copy of `plan`, for tests that look at it afterwards; see [`Session::apply_owned`].
    pub async fn apply(&self, plan: &Plan) -> ApplyReport {
        Box::pin(self.apply_owned(plan.clone())).await
    }

    /// Apply without the lock, letting each change go once it is done (as a locked apply
    /// does): for benchmarks that measure what an apply holds.
    pub async fn apply_owned(&self, plan: Plan) -> ApplyReport {
        Box::pin(apply::apply(plan, self, &crate::shutdown::stop_reason)).await
    }

    /// The apply lock table's adapter, for `plinth force-unlock`.
    pub fn dynamo(&self) -> &Dynamo {
        &self.dynamo
    }

    /// The adapters, for commands beyond plan and apply (`plinth import`).
    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    pub fn sts(&self) -> &Sts {
        &self.sts
    }
}

impl Session {
    /// A failed read or preflight call as a diagnostic; transport failures name the
    /// endpoint they could not reach.
    fn failure(&self, what: &str, e: AwsError) -> Diagnostics {
        self.clients.failure(what, e)
    }
}

impl Executor for Session {
    fn lane(&self, change: &Change) -> &'static str {
        change.op.service().sdk_name()
    }

    fn reserve(&self, change: &Change) -> Option<apply::Reservation> {
        let Some(lane) = self.lanes.get(&change.op.service()) else {
            return Some(Box::new(()));
        };
        let permit = lane.clone().try_acquire_owned().ok()?;
        Some(Box::new(permit))
    }

    fn bottleneck(&self) -> Option<String> {
        let (bucket, rate, _) = self.aws.pacer.bottleneck()?;
        Some(format!("{bucket} at {rate}/s"))
    }

    async fn execute(
        &self,
        change: &Change,
        resolve: &(dyn Fn(&Ref) -> Option<String> + Sync),
    ) -> Result<Option<String>, AwsError> {
        // The change holds a slot of its lane (`reserve`); IAM Identity Center's adapter
        // also bounds assignment operations in flight. A change in a member account runs
        // through that account's session.
        let result = match &change.account {
            None => execute(&self.clients, &change.op, resolve).await,
            Some(account) => match self.clients.member(account).await {
                Ok(member) => execute(&member, &change.op, resolve).await,
                Err(e) => Err(e.in_member_account(account, &self.clients.members().role_arn(account))),
            },
        };
        result.map_err(|e| e.at_endpoint(self.aws.sdk.endpoint_url()))
    }
}

/// `op`, through the adapters `c` (the management account's, or a member account's).
async fn execute(
    c: &Clients,
    op: &Op,
    resolve: &(dyn Fn(&Ref) -> Option<String> + Sync),
) -> Result<Option<String>, AwsError> {
    // Boxed: each adapter's future is large, and many run at once.
    match op {
        Op::Sso(op) => Box::pin(c.sso(&op.region).execute(op, resolve)).await,
        Op::Organizations(op) => Box::pin(c.organizations.execute(op, resolve)).await,
        Op::Cloudwatch(op) => Box::pin(c.cloudwatch.execute(op, resolve)).await,
        Op::Sns(op) => Box::pin(c.sns.execute(op)).await,
        Op::S3(op) => Box::pin(c.s3.execute(op)).await,
        Op::Cloudtrail(op) => Box::pin(c.cloudtrail.execute(op)).await,
        Op::Logs(op) => Box::pin(c.logs.execute(op)).await,
        Op::Iam(op) => Box::pin(c.iam.execute(op)).await,
        Op::Budgets(op) => Box::pin(c.budgets.execute(op, resolve)).await,
        Op::Account(op) => Box::pin(c.account.execute(op, resolve)).await,
        Op::RootAccess(op) => Box::pin(c.root_access.execute(op)).await,
    }
}

/// The plan of the second step, which must need nothing more: what it would need was read
/// for the first, so a need left is plinth's bug, reported as one (never a third step).
fn settled(plan: Plan) -> Result<Plan, Diagnostic> {
    if plan.needs.is_empty() {
        return Ok(plan);
    }
    let still: Vec<String> = plan.needs.iter().map(ToString::to_string).collect();
    Err(
        Diagnostic::error("plinth still needs reads after reading what its plan asked for")
            .cause(format!("needed again: {}", crate::diag::printable(&still.join("; "))))
            .hint("this is a bug in plinth; please report it with the baseline, leaving out anything private"),
    )
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
    fn a_second_plan_that_still_needs_a_read_is_plinths_bug() {
        assert!(settled(Plan::default()).is_ok());
        let mut plan = Plan::default();
        plan.need(Need::Attachments {
            policy_type: crate::types::policy_types::PolicyType::Scp,
            target_id: "ou-1".into(),
        });
        let e = settled(plan).unwrap_err().to_string();
        assert!(
            e.contains("error: plinth still needs reads after reading what its plan asked for"),
            "{e}"
        );
        assert!(e.contains("needed again: the SCPs attached to `ou-1`"), "{e}");
        assert!(e.contains("this is a bug in plinth"), "{e}");
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
