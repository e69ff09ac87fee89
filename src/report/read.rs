//! The reads of a report: the organization whole (every account with its parent, every
//! policy of every type with its targets, AWS's own included, then each account's
//! effective policy of each management type enabled on the root), IAM Identity Center
//! whole, the trails and the billing alarms, at once. No writes.

use crate::aws::organizations::ReadScope;
use crate::diag::Diagnostics;
use crate::engine::Session;
use crate::types::Region;

use super::Report;

pub async fn read(session: &Session, home_region: &Region) -> Result<Report, Diagnostics> {
    let clients = session.clients();
    let summary = crate::import::management(session, "plinth report").await?;
    tracing::info!(organization = %summary.id, "reading the whole organization for the report");
    let scope = ReadScope {
        everything: true,
        aws_managed_targets: true,
        ..ReadScope::default()
    };
    let sso_client = clients.sso(home_region.as_str());
    let org = async {
        let org = clients
            .organizations
            .read(&summary, &scope)
            .await
            .map_err(|e| clients.failure("cannot read the organization", e))?;
        let accounts: Vec<String> = org.accounts.iter().map(|a| a.id.clone()).collect();
        let effective = clients
            .organizations
            .effective_policies(&accounts, &super::effective_types(&org))
            .await
            .map_err(|e| clients.failure("cannot read the accounts' effective policies", e))?;
        Ok::<_, Diagnostics>((org, effective))
    };
    let sso = async {
        sso_client
            .read_all()
            .await
            .map_err(|e| clients.failure("cannot read IAM Identity Center", e))
    };
    let trails = async {
        let fail = |e| clients.failure("cannot read the trails", e);
        let mut found = Vec::new();
        for name in clients.cloudtrail.trail_names().await.map_err(fail)? {
            if let Some(info) = clients.cloudtrail.read_trail(&name).await.map_err(fail)? {
                found.push(info);
            }
        }
        Ok::<_, Diagnostics>(found)
    };
    let alarms = async {
        clients
            .cloudwatch
            .billing_alarms()
            .await
            .map_err(|e| clients.failure("cannot read the billing alarms", e))
    };
    let ((org, effective), sso, trails, mut alarms) = futures::try_join!(org, sso, trails, alarms)?;
    alarms.sort_by(|a, b| a.0.spec.name.cmp(&b.0.spec.name));
    Ok(super::build(&org, &sso, &trails, &alarms, &effective))
}
