//! What the trail's and the alarms' operations carry: alarms, trail settings and event
//! selectors, metric filters.

use std::collections::BTreeMap;

use serde::Serialize;

use super::strs;
use crate::observed::{
    AdvancedSelector, AlarmSpec, DataResource, EventSelector, FieldSelector, MetricFilter, Selectors, TrailSettings,
};

#[derive(Serialize)]
pub struct AlarmView<'a> {
    name: &'a str,
    description: &'a str,
    namespace: &'a str,
    metric_name: &'a str,
    dimensions: BTreeMap<&'a str, &'a str>,
    statistic: &'a str,
    period: i32,
    evaluation_periods: i32,
    threshold: f64,
    comparison_operator: &'a str,
    treat_missing_data: &'a str,
    alarm_actions: Vec<&'a str>,
    actions_enabled: bool,
}

impl<'a> From<&'a AlarmSpec> for AlarmView<'a> {
    fn from(a: &'a AlarmSpec) -> Self {
        let AlarmSpec {
            name,
            description,
            namespace,
            metric_name,
            dimensions,
            statistic,
            period,
            evaluation_periods,
            threshold,
            comparison_operator,
            treat_missing_data,
            alarm_actions,
            actions_enabled,
        } = a;
        AlarmView {
            name,
            description,
            namespace,
            metric_name,
            dimensions: dimensions.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect(),
            statistic,
            period: *period,
            evaluation_periods: *evaluation_periods,
            threshold: *threshold,
            comparison_operator,
            treat_missing_data,
            alarm_actions: strs(alarm_actions),
            actions_enabled: *actions_enabled,
        }
    }
}

#[derive(Serialize)]
pub struct TrailSettingsView<'a> {
    name: &'a str,
    s3_bucket: &'a str,
    is_organization_trail: bool,
    is_multi_region_trail: bool,
    include_global_service_events: bool,
    log_file_validation: bool,
    kms_key_id: Option<&'a str>,
    cloud_watch_logs_log_group_arn: Option<&'a str>,
    cloud_watch_logs_role_arn: Option<&'a str>,
}

impl<'a> From<&'a TrailSettings> for TrailSettingsView<'a> {
    fn from(t: &'a TrailSettings) -> Self {
        let TrailSettings {
            name,
            s3_bucket,
            is_organization_trail,
            is_multi_region_trail,
            include_global_service_events,
            log_file_validation,
            kms_key_id,
            cloud_watch_logs_log_group_arn,
            cloud_watch_logs_role_arn,
        } = t;
        TrailSettingsView {
            name,
            s3_bucket,
            is_organization_trail: *is_organization_trail,
            is_multi_region_trail: *is_multi_region_trail,
            include_global_service_events: *include_global_service_events,
            log_file_validation: *log_file_validation,
            kms_key_id: kms_key_id.as_deref(),
            cloud_watch_logs_log_group_arn: cloud_watch_logs_log_group_arn.as_deref(),
            cloud_watch_logs_role_arn: cloud_watch_logs_role_arn.as_deref(),
        }
    }
}

/// A trail's event selectors: `{"kind": "basic" | "advanced", "selectors": [...]}`.
#[derive(Serialize)]
#[serde(tag = "kind", content = "selectors", rename_all = "snake_case")]
pub enum SelectorsView<'a> {
    Basic(Vec<EventSelectorView<'a>>),
    Advanced(Vec<AdvancedSelectorView<'a>>),
}

impl<'a> From<&'a Selectors> for SelectorsView<'a> {
    fn from(s: &'a Selectors) -> Self {
        match s {
            Selectors::Basic(v) => SelectorsView::Basic(v.iter().map(Into::into).collect()),
            Selectors::Advanced(v) => SelectorsView::Advanced(v.iter().map(Into::into).collect()),
        }
    }
}

#[derive(Serialize)]
pub struct EventSelectorView<'a> {
    read_write_type: &'a str,
    include_management_events: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data_resources: Vec<DataResourceView<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    exclude_management_event_sources: Vec<&'a str>,
}

impl<'a> From<&'a EventSelector> for EventSelectorView<'a> {
    fn from(e: &'a EventSelector) -> Self {
        let EventSelector {
            read_write_type,
            include_management_events,
            data_resources,
            exclude_management_event_sources,
        } = e;
        EventSelectorView {
            read_write_type,
            include_management_events: *include_management_events,
            data_resources: data_resources.iter().map(Into::into).collect(),
            exclude_management_event_sources: strs(exclude_management_event_sources),
        }
    }
}

#[derive(Serialize)]
pub struct DataResourceView<'a> {
    r#type: &'a str,
    values: Vec<&'a str>,
}

impl<'a> From<&'a DataResource> for DataResourceView<'a> {
    fn from(d: &'a DataResource) -> Self {
        let DataResource { r#type, values } = d;
        DataResourceView {
            r#type,
            values: strs(values),
        }
    }
}

#[derive(Serialize)]
pub struct AdvancedSelectorView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    field_selectors: Vec<FieldSelectorView<'a>>,
}

impl<'a> From<&'a AdvancedSelector> for AdvancedSelectorView<'a> {
    fn from(a: &'a AdvancedSelector) -> Self {
        let AdvancedSelector { name, field_selectors } = a;
        AdvancedSelectorView {
            name: name.as_deref(),
            field_selectors: field_selectors.iter().map(Into::into).collect(),
        }
    }
}

/// One condition of an advanced event selector; only the operators it uses are written.
#[derive(Serialize)]
pub struct FieldSelectorView<'a> {
    field: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    equals: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    not_equals: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    starts_with: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    not_starts_with: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ends_with: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    not_ends_with: Vec<&'a str>,
}

impl<'a> From<&'a FieldSelector> for FieldSelectorView<'a> {
    fn from(f: &'a FieldSelector) -> Self {
        let FieldSelector {
            field,
            equals,
            not_equals,
            starts_with,
            not_starts_with,
            ends_with,
            not_ends_with,
        } = f;
        FieldSelectorView {
            field,
            equals: strs(equals),
            not_equals: strs(not_equals),
            starts_with: strs(starts_with),
            not_starts_with: strs(not_starts_with),
            ends_with: strs(ends_with),
            not_ends_with: strs(not_ends_with),
        }
    }
}

#[derive(Serialize)]
pub struct MetricFilterView<'a> {
    pattern: &'a str,
    metric_name: &'a str,
    metric_namespace: &'a str,
    metric_value: &'a str,
}

impl<'a> From<&'a MetricFilter> for MetricFilterView<'a> {
    fn from(m: &'a MetricFilter) -> Self {
        let MetricFilter {
            pattern,
            metric_name,
            metric_namespace,
            metric_value,
        } = m;
        MetricFilterView {
            pattern,
            metric_name,
            metric_namespace,
            metric_value,
        }
    }
}
