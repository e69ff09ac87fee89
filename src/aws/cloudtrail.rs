//! CloudTrail (us-east-1): the organization trail, its status and event selectors,
//! three reads in all.

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::{EventSelector as SdkSelector, ReadWriteType, Tag};

use super::{AwsError, Context, retry_eventually};
use crate::observed::{EventSelector, OWNER_TAG_KEY, OWNER_TAG_VALUE, TrailInfo, TrailSettings};
use crate::plan::CloudTrailOp;

const SERVICE: &str = "CloudTrail";
/// What CloudTrail answers while a just-created log group or role is not visible to it yet.
const ROLE_NOT_READY: [&str; 2] = [
    "InvalidCloudWatchLogsRoleArnException",
    "InvalidCloudWatchLogsLogGroupArnException",
];

pub struct CloudTrail {
    client: Client,
}

impl CloudTrail {
    pub fn new(client: Client) -> Self {
        CloudTrail { client }
    }

    /// The trail of this name, or `None`.
    pub async fn read_trail(&self, name: &str) -> Result<Option<TrailInfo>, AwsError> {
        let trail = match self.client.get_trail().name(name).send().await.ctx(SERVICE, "GetTrail") {
            Ok(out) => match out.trail() {
                Some(t) => t.clone(),
                None => return Ok(None),
            },
            Err(e) if e.is("TrailNotFoundException") => return Ok(None),
            Err(e) => return Err(e),
        };
        let (status, selectors) = futures::try_join!(
            async {
                self.client
                    .get_trail_status()
                    .name(name)
                    .send()
                    .await
                    .ctx(SERVICE, "GetTrailStatus")
            },
            async {
                self.client
                    .get_event_selectors()
                    .trail_name(name)
                    .send()
                    .await
                    .ctx(SERVICE, "GetEventSelectors")
            }
        )?;
        Ok(Some(TrailInfo {
            arn: trail.trail_arn().unwrap_or_default().to_owned(),
            // The ARN names the home region too, when the answer leaves HomeRegion out.
            home_region: trail
                .home_region()
                .filter(|r| !r.is_empty())
                .or_else(|| trail.trail_arn().and_then(|a| a.split(':').nth(3)))
                .unwrap_or_default()
                .to_owned(),
            settings: TrailSettings {
                name: trail.name().unwrap_or(name).to_owned(),
                s3_bucket: trail.s3_bucket_name().unwrap_or_default().to_owned(),
                is_organization_trail: trail.is_organization_trail().unwrap_or(false),
                is_multi_region_trail: trail.is_multi_region_trail().unwrap_or(false),
                include_global_service_events: trail.include_global_service_events().unwrap_or(false),
                log_file_validation: trail.log_file_validation_enabled().unwrap_or(false),
                // An empty key id (what UpdateTrail takes to turn SSE-KMS off) means none.
                kms_key_id: trail.kms_key_id().filter(|k| !k.is_empty()).map(str::to_owned),
                cloud_watch_logs_log_group_arn: trail
                    .cloud_watch_logs_log_group_arn()
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned),
                cloud_watch_logs_role_arn: trail
                    .cloud_watch_logs_role_arn()
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned),
            },
            logging: status.is_logging().unwrap_or(false),
            selectors: selectors
                .event_selectors()
                .iter()
                .map(|s| EventSelector {
                    read_write_type: s
                        .read_write_type()
                        .map(|r| r.as_str().to_owned())
                        .unwrap_or_else(|| "All".into()),
                    include_management_events: s.include_management_events().unwrap_or(true),
                    data_resources: s.data_resources().len(),
                })
                .collect(),
        }))
    }

    pub async fn execute(&self, op: &CloudTrailOp) -> Result<Option<String>, AwsError> {
        match op {
            CloudTrailOp::CreateTrail { settings: s } => {
                // A role created moments ago may not be usable by CloudTrail yet.
                let out = retry_eventually(&ROLE_NOT_READY, || async {
                    self.client
                        .create_trail()
                        .name(&s.name)
                        .s3_bucket_name(&s.s3_bucket)
                        .is_organization_trail(s.is_organization_trail)
                        .is_multi_region_trail(s.is_multi_region_trail)
                        .include_global_service_events(s.include_global_service_events)
                        .enable_log_file_validation(s.log_file_validation)
                        .set_kms_key_id(s.kms_key_id.clone())
                        .set_cloud_watch_logs_log_group_arn(s.cloud_watch_logs_log_group_arn.clone())
                        .set_cloud_watch_logs_role_arn(s.cloud_watch_logs_role_arn.clone())
                        .tags_list(
                            Tag::builder()
                                .key(OWNER_TAG_KEY)
                                .value(OWNER_TAG_VALUE)
                                .build()
                                .expect("key is set"),
                        )
                        .send()
                        .await
                        .ctx(SERVICE, "CreateTrail")
                })
                .await?;
                Ok(out.trail_arn().map(str::to_owned))
            }
            CloudTrailOp::UpdateTrail { settings: s } => {
                retry_eventually(&ROLE_NOT_READY, || async {
                    self.client
                        .update_trail()
                        .name(&s.name)
                        .s3_bucket_name(&s.s3_bucket)
                        .is_organization_trail(s.is_organization_trail)
                        .is_multi_region_trail(s.is_multi_region_trail)
                        .include_global_service_events(s.include_global_service_events)
                        .enable_log_file_validation(s.log_file_validation)
                        // An empty key id turns SSE-KMS off, as the baseline then asks.
                        .kms_key_id(s.kms_key_id.clone().unwrap_or_default())
                        // Empty strings turn CloudWatch Logs delivery off.
                        .cloud_watch_logs_log_group_arn(s.cloud_watch_logs_log_group_arn.clone().unwrap_or_default())
                        .cloud_watch_logs_role_arn(s.cloud_watch_logs_role_arn.clone().unwrap_or_default())
                        .send()
                        .await
                        .ctx(SERVICE, "UpdateTrail")
                })
                .await?;
                Ok(None)
            }
            CloudTrailOp::PutEventSelectors { trail } => {
                self.client
                    .put_event_selectors()
                    .trail_name(trail)
                    .event_selectors(
                        SdkSelector::builder()
                            .read_write_type(ReadWriteType::All)
                            .include_management_events(true)
                            .build(),
                    )
                    .send()
                    .await
                    .ctx(SERVICE, "PutEventSelectors")?;
                Ok(None)
            }
            CloudTrailOp::StartLogging { trail } => {
                self.client
                    .start_logging()
                    .name(trail)
                    .send()
                    .await
                    .ctx(SERVICE, "StartLogging")?;
                Ok(None)
            }
        }
    }
}
