//! What `[log_archive]` reads, once the organization's accounts are known: which account
//! it is, a session there, and the trail's bucket (with versioning, Object Lock,
//! lifecycle and access logging) and the access logs bucket, read as that account's
//! (`ExpectedBucketOwner`).

use serde::{Deserialize, Serialize};

use super::LogArchiveSection;
use crate::diag::Diagnostics;
use crate::kinds::ObserveCx;
use crate::kinds::cross::{self, DeclaredAccount};
use crate::observed::{ArchiveSettings, Bucket, OrgState};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogArchiveState {
    pub account: Account,
    /// The trail's bucket, as the log archive account's.
    pub bucket: Bucket,
    /// Its versioning, Object Lock, lifecycle and logging (when it is present).
    pub settings: ArchiveSettings,
    /// The access logs bucket, when the baseline names one.
    pub logs_bucket: Option<Bucket>,
}

/// Which account the log archive is, and whether plinth may act there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Account {
    /// Not read (no `[log_archive]`).
    #[default]
    NotRead,
    /// Read with this account's session.
    Read { id: String },
    /// No such account in the organization (an `[[account]]` this plan may create).
    Missing { why: String },
    /// The `[[account]]`'s name is on live accounts, but its id or e-mail on none.
    Ambiguous { ids: Vec<String>, why: String },
    /// AWS refused the session (`sts:AssumeRole`): the role is missing, or an SCP
    /// denies it. AWS's words.
    Refused { id: String, role_arn: String, error: String },
}

pub(super) async fn observe_accounts(
    cx: &ObserveCx<'_>,
    section: &Option<toml::Spanned<LogArchiveSection>>,
    org: &OrgState,
    state: &mut LogArchiveState,
) -> Result<(), Diagnostics> {
    let Some(section) = section else {
        return Ok(());
    };
    let a = section.get_ref();
    let Some((_, bucket)) = cross::trail_name_and_bucket(cx.baseline) else {
        return Ok(());
    };
    let id = match cross::declared_account(cx.baseline, org, a.account.get_ref()) {
        DeclaredAccount::Live(id) => id,
        DeclaredAccount::Missing(why) => {
            state.account = Account::Missing { why };
            return Ok(());
        }
        DeclaredAccount::Ambiguous { ids, why } => {
            state.account = Account::Ambiguous { ids, why };
            return Ok(());
        }
    };
    let c = cx.clients;
    let member = match c.member(&id).await {
        Ok(member) => member,
        Err(e) if e.is_access_denied() => {
            state.account = Account::Refused {
                role_arn: c.members().role_arn(&id),
                id,
                error: e.to_string(),
            };
            return Ok(());
        }
        Err(e) => return Err(c.failure(&format!("cannot act in the log archive account {id}"), e)),
    };
    let read = async {
        let logs = a.access_logs_bucket.as_ref().map(|b| b.get_ref().as_str());
        let (trail_bucket, logs_bucket) = futures::try_join!(member.s3.read_bucket(bucket, &id), async {
            match logs {
                Some(name) => member.s3.read_bucket(name, &id).await.map(Some),
                None => Ok(None),
            }
        })?;
        let settings = match trail_bucket {
            Bucket::Present { .. } => member.s3.read_archive_settings(bucket, &id).await?,
            _ => ArchiveSettings::default(),
        };
        Ok::<_, crate::aws::AwsError>((trail_bucket, logs_bucket, settings))
    };
    let (trail_bucket, logs_bucket, settings) = read
        .await
        .map_err(|e| c.failure(&format!("cannot read the log archive's buckets in account {id}"), e))?;
    state.account = Account::Read { id };
    state.bucket = trail_bucket;
    state.logs_bucket = logs_bucket;
    state.settings = settings;
    Ok(())
}
