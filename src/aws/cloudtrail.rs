//! CloudTrail (us-east-1): the organization trail, its tags, status and event selectors,
//! four reads in all.

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, DataResource as SdkDataResource, EventSelector as SdkSelector,
    ReadWriteType, Tag,
};

use super::{AwsError, Context, retry_eventually};
use crate::observed::{
    AdvancedSelector, DataResource, EventSelector, FieldSelector, OWNER_TAG_KEY, OWNER_TAG_VALUE, Ownership, Selectors,
    TrailInfo, TrailSettings, ownership,
};
use crate::plan::CloudTrailOp;

const SERVICE: &str = super::Service::CloudTrail.sdk_name();
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

    /// The names of the trails whose home is this region (for `plinth import`).
    pub async fn trail_names(&self) -> Result<Vec<String>, AwsError> {
        let out = self
            .client
            .describe_trails()
            .include_shadow_trails(false)
            .send()
            .await
            .ctx(SERVICE, "DescribeTrails")?;
        let mut names: Vec<String> = out
            .trail_list()
            .iter()
            .filter_map(|t| t.name().map(str::to_owned))
            .collect();
        names.sort();
        Ok(names)
    }

    /// The trail of this name, or `None`.
    pub async fn read_trail(&self, name: &str) -> Result<Option<TrailInfo>, AwsError> {
        let trail = match self.client.get_trail().name(name).send().await.ctx(SERVICE, "GetTrail") {
            Ok(out) => match out.trail() {
                Some(t) => t.clone(),
                None => return Ok(None),
            },
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let arn = trail.trail_arn().unwrap_or_default().to_owned();
        let (status, selectors, tags) = futures::try_join!(
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
            },
            async {
                self.client
                    .list_tags()
                    .resource_id_list(&arn)
                    .send()
                    .await
                    .ctx(SERVICE, "ListTags")
            }
        )?;
        let Ownership { owned, managed_by } = ownership(
            name,
            tags.resource_tag_list()
                .iter()
                .flat_map(|r| r.tags_list())
                .map(|t| (t.key(), t.value().unwrap_or_default())),
        );
        Ok(Some(TrailInfo {
            owned,
            managed_by,
            arn: arn.clone(),
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
            selectors: if selectors.advanced_event_selectors().is_empty() {
                Selectors::Basic(selectors.event_selectors().iter().map(basic_from_sdk).collect())
            } else {
                Selectors::Advanced(
                    selectors
                        .advanced_event_selectors()
                        .iter()
                        .map(advanced_from_sdk)
                        .collect(),
                )
            },
        }))
    }

    pub async fn execute(&self, op: &CloudTrailOp) -> Result<Option<String>, AwsError> {
        match op {
            CloudTrailOp::CreateTrail { settings: s } => {
                // A role created moments ago may not be usable by CloudTrail yet.
                let created = retry_eventually(&ROLE_NOT_READY, || async {
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
                        .tags_list(owner_tag()?)
                        .send()
                        .await
                        .ctx(SERVICE, "CreateTrail")
                })
                .await;
                match created {
                    Ok(out) => Ok(out.trail_arn().map(str::to_owned)),
                    // A retry of a create whose answer was lost: the trail is there, tagged
                    // in the same call; the next plan reconciles anything else.
                    Err(e) if e.is_already_exists() => match self.read_trail(&s.name).await? {
                        Some(t) if t.owned => Ok(Some(t.arn)),
                        _ => Err(e),
                    },
                    Err(e) => Err(e),
                }
            }
            CloudTrailOp::UpdateTrail { settings: s, logs } => {
                retry_eventually(&ROLE_NOT_READY, || async {
                    let call = self.client.update_trail();
                    // Unchanged delivery is left out: naming the role again would make AWS
                    // check `iam:PassRole` on a role that may not be plinth's.
                    let call = if *logs {
                        // Empty strings turn CloudWatch Logs delivery off.
                        call.cloud_watch_logs_log_group_arn(
                            s.cloud_watch_logs_log_group_arn.clone().unwrap_or_default(),
                        )
                        .cloud_watch_logs_role_arn(s.cloud_watch_logs_role_arn.clone().unwrap_or_default())
                    } else {
                        call
                    };
                    call.name(&s.name)
                        .s3_bucket_name(&s.s3_bucket)
                        .is_organization_trail(s.is_organization_trail)
                        .is_multi_region_trail(s.is_multi_region_trail)
                        .include_global_service_events(s.include_global_service_events)
                        .enable_log_file_validation(s.log_file_validation)
                        // An empty key id turns SSE-KMS off, as the baseline then asks.
                        .kms_key_id(s.kms_key_id.clone().unwrap_or_default())
                        .send()
                        .await
                        .ctx(SERVICE, "UpdateTrail")
                })
                .await?;
                Ok(None)
            }
            CloudTrailOp::PutEventSelectors { trail, selectors } => {
                let put = self.client.put_event_selectors().trail_name(trail);
                let put = match selectors {
                    Selectors::Basic(list) => put.set_event_selectors(Some(list.iter().map(basic_to_sdk).collect())),
                    Selectors::Advanced(list) => {
                        put.set_advanced_event_selectors(Some(list.iter().map(advanced_to_sdk).collect()))
                    }
                };
                put.send().await.ctx(SERVICE, "PutEventSelectors")?;
                Ok(None)
            }
            CloudTrailOp::AddTags { trail_arn } => {
                self.client
                    .add_tags()
                    .resource_id(trail_arn)
                    .tags_list(owner_tag()?)
                    .send()
                    .await
                    .ctx(SERVICE, "AddTags")?;
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

fn basic_from_sdk(s: &SdkSelector) -> EventSelector {
    EventSelector {
        read_write_type: s
            .read_write_type()
            .map_or_else(|| "All".into(), |r| r.as_str().to_owned()),
        include_management_events: s.include_management_events().unwrap_or(true),
        data_resources: s
            .data_resources()
            .iter()
            .map(|d| DataResource {
                r#type: d.r#type().unwrap_or_default().to_owned(),
                values: d.values().to_vec(),
            })
            .collect(),
        exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
    }
}

fn basic_to_sdk(s: &EventSelector) -> SdkSelector {
    SdkSelector::builder()
        .read_write_type(ReadWriteType::from(s.read_write_type.as_str()))
        .include_management_events(s.include_management_events)
        .set_data_resources(Some(
            s.data_resources
                .iter()
                .map(|d| {
                    SdkDataResource::builder()
                        .r#type(&d.r#type)
                        .set_values(Some(d.values.clone()))
                        .build()
                })
                .collect(),
        ))
        .set_exclude_management_event_sources(Some(s.exclude_management_event_sources.clone()))
        .build()
}

fn advanced_from_sdk(s: &AdvancedEventSelector) -> AdvancedSelector {
    AdvancedSelector {
        name: s.name().map(str::to_owned),
        field_selectors: s
            .field_selectors()
            .iter()
            .map(|f| FieldSelector {
                field: f.field().to_owned(),
                equals: f.equals().to_vec(),
                not_equals: f.not_equals().to_vec(),
                starts_with: f.starts_with().to_vec(),
                not_starts_with: f.not_starts_with().to_vec(),
                ends_with: f.ends_with().to_vec(),
                not_ends_with: f.not_ends_with().to_vec(),
            })
            .collect(),
    }
}

fn advanced_to_sdk(s: &AdvancedSelector) -> AdvancedEventSelector {
    let some = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    AdvancedEventSelector::builder()
        .set_name(s.name.clone())
        .set_field_selectors(Some(
            s.field_selectors
                .iter()
                .map(|f| {
                    AdvancedFieldSelector::builder()
                        .field(&f.field)
                        .set_equals(some(&f.equals))
                        .set_not_equals(some(&f.not_equals))
                        .set_starts_with(some(&f.starts_with))
                        .set_not_starts_with(some(&f.not_starts_with))
                        .set_ends_with(some(&f.ends_with))
                        .set_not_ends_with(some(&f.not_ends_with))
                        .build()
                        .expect("the field is set")
                })
                .collect(),
        ))
        .build()
        .expect("the field selectors are set")
}

/// plinth's ownership tag, `managed-by=plinth`.
fn owner_tag() -> Result<Tag, AwsError> {
    Tag::builder()
        .key(OWNER_TAG_KEY)
        .value(OWNER_TAG_VALUE)
        .build()
        .map_err(|e| AwsError::other(SERVICE, "AddTags", e.to_string()))
}
