//! What `[billing]` reads: plinth's billing alarms (always, so that orphans show even when
//! the section is gone), and with the section its topic and whether billing metrics exist.

use serde::{Deserialize, Serialize};

use super::{ALARM_PREFIX, full_name};
use crate::diag::Diagnostics;
use crate::kinds::ObserveCx;
use crate::kinds::common::topic::topic_arn;
use crate::observed::{Alarm, Topic};

/// Billing alarms and their SNS topic, in us-east-1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BillingState {
    /// Alarms whose names carry plinth's billing prefix.
    pub alarms: Vec<Alarm>,
    /// The baseline's topic; `None` when it does not exist (or the baseline has no `[billing]`).
    pub topic: Option<Topic>,
    /// Whether CloudWatch has any `AWS/Billing` `EstimatedCharges` metric, which exists
    /// only once "Receive Billing Alerts" is on.
    pub billing_metrics_visible: bool,
}

pub(super) async fn observe(
    cx: &ObserveCx<'_>,
    section: &Option<toml::Spanned<super::BillingSection>>,
) -> Result<BillingState, Diagnostics> {
    let c = cx.clients;
    let fail = |e| c.failure("cannot read the billing alarms", e);
    let section = section.as_ref().map(|s| s.get_ref());
    let declared: Vec<String> = section
        .map(|b| b.alarm.iter().map(|a| full_name(a.get_ref())).collect())
        .unwrap_or_default();
    // plinth's prefix, and the alarms named by `alarm_name` (made before plinth).
    let named: Vec<String> = declared
        .iter()
        .filter(|n| !n.starts_with(ALARM_PREFIX))
        .cloned()
        .collect();
    let alarms = async {
        let (mut ours, named) = futures::try_join!(c.cloudwatch.read_alarms(ALARM_PREFIX, &declared), async {
            if named.is_empty() {
                Ok(vec![])
            } else {
                c.cloudwatch.read_alarms_named(&named).await
            }
        })?;
        ours.extend(named);
        Ok(ours)
    };
    let Some(section) = section else {
        return Ok(BillingState {
            alarms: alarms.await.map_err(fail)?,
            ..BillingState::default()
        });
    };
    let arn = topic_arn(cx.account, section.topic_name.get_ref().as_str());
    let (alarms, topic, visible) =
        futures::try_join!(alarms, c.sns.read_topic(&arn), c.cloudwatch.billing_metrics_visible()).map_err(fail)?;
    Ok(BillingState {
        alarms,
        topic,
        billing_metrics_visible: visible,
    })
}
