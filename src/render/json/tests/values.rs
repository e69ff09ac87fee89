//! The values operations carry (alarms, trails, budgets, permission sets, selectors),
//! for the all-variants plan.

use std::collections::BTreeMap;

use crate::observed::{
    AdvancedSelector, AlarmSpec, Boundary, BudgetNotification, BudgetSpec, BudgetSubscriber, DataResource,
    EventSelector, FieldSelector, NotificationKind, PermissionSetSpec, Selectors, SubscriberKind, TrailSettings,
};
use crate::plan::{BudgetsCall, BudgetsOp, Op, Ref, SsoCall, SsoOp};

pub fn s(text: &str) -> String {
    text.to_owned()
}

pub fn id(text: &str) -> Ref {
    Ref::Id(s(text))
}

pub fn planned(text: &str) -> Ref {
    Ref::Planned(text.parse().expect("an address"))
}

pub fn alarm() -> AlarmSpec {
    AlarmSpec {
        name: s("plinth-billing-total"),
        description: s("Estimated charges above 100 USD"),
        namespace: s("AWS/Billing"),
        metric_name: s("EstimatedCharges"),
        dimensions: BTreeMap::from([(s("Currency"), s("USD"))]),
        statistic: s("Maximum"),
        period: 21_600,
        evaluation_periods: 1,
        threshold: 100.0,
        comparison_operator: s("GreaterThanThreshold"),
        treat_missing_data: s("notBreaching"),
        alarm_actions: vec![s("arn:aws:sns:us-east-1:111111111111:plinth-billing")],
        actions_enabled: true,
    }
}

pub fn trail() -> TrailSettings {
    TrailSettings {
        name: s("plinth-org-trail"),
        s3_bucket: s("plinth-trail-111111111111"),
        is_organization_trail: true,
        is_multi_region_trail: true,
        include_global_service_events: true,
        log_file_validation: true,
        kms_key_id: Some(s("arn:aws:kms:us-east-1:111111111111:key/k")),
        cloud_watch_logs_log_group_arn: None,
        cloud_watch_logs_role_arn: Some(s("arn:aws:iam::111111111111:role/plinth-trail-logs")),
    }
}

pub fn notification() -> BudgetNotification {
    BudgetNotification {
        kind: NotificationKind::Forecasted,
        threshold_percent: 80.5,
        subscribers: vec![subscriber(SubscriberKind::Email), subscriber(SubscriberKind::Sns)],
    }
}

pub fn subscriber(kind: SubscriberKind) -> BudgetSubscriber {
    BudgetSubscriber {
        kind,
        address: s("ops@example.com"),
    }
}

pub fn budget(limit: Option<f64>, linked: Option<&str>, months: Option<i32>) -> BudgetSpec {
    BudgetSpec {
        name: s("plinth-monthly"),
        limit_usd: limit,
        linked_account: linked.map(s),
        auto_adjust_months: months,
        notifications: vec![
            BudgetNotification {
                kind: NotificationKind::Actual,
                threshold_percent: 100.0,
                subscribers: Vec::new(),
            },
            notification(),
        ],
    }
}

pub fn permission_set(boundary: Option<Boundary>, optional: bool) -> PermissionSetSpec {
    PermissionSetSpec {
        name: s("PowerUser"),
        description: optional.then(|| s("Power users")),
        session_duration: s("PT8H"),
        relay_state: optional.then(|| s("https://console.aws.amazon.com/")),
        managed_policies: vec![s("arn:aws:iam::aws:policy/PowerUserAccess")],
        customer_managed_policies: vec![(s("extra"), s("/plinth/"))],
        inline_policy: optional.then(|| s(r#"{"Version":"2012-10-17","Statement":[]}"#)),
        permissions_boundary: boundary,
    }
}

pub fn managed_boundary() -> Boundary {
    Boundary::ManagedPolicy {
        arn: s("arn:aws:iam::aws:policy/PowerUserAccess"),
    }
}

pub fn customer_boundary() -> Boundary {
    Boundary::CustomerManagedPolicy {
        name: s("boundary"),
        path: s("/"),
    }
}

pub fn selectors_basic() -> Selectors {
    Selectors::Basic(vec![
        EventSelector {
            read_write_type: s("All"),
            include_management_events: true,
            data_resources: Vec::new(),
            exclude_management_event_sources: Vec::new(),
        },
        EventSelector {
            read_write_type: s("WriteOnly"),
            include_management_events: false,
            data_resources: vec![DataResource {
                r#type: s("AWS::S3::Object"),
                values: vec![s("arn:aws:s3")],
            }],
            exclude_management_event_sources: vec![s("kms.amazonaws.com")],
        },
    ])
}

pub fn selectors_advanced() -> Selectors {
    Selectors::Advanced(vec![
        AdvancedSelector {
            name: Some(s("Management events")),
            field_selectors: vec![FieldSelector {
                field: s("eventCategory"),
                equals: vec![s("Management")],
                ..FieldSelector::default()
            }],
        },
        AdvancedSelector {
            name: None,
            field_selectors: vec![FieldSelector {
                field: s("resources.ARN"),
                equals: vec![s("a")],
                not_equals: vec![s("b")],
                starts_with: vec![s("c")],
                not_starts_with: vec![s("d")],
                ends_with: vec![s("e")],
                not_ends_with: vec![s("f")],
            }],
        },
    ])
}

pub fn sso(call: SsoCall) -> Op {
    Op::Sso(SsoOp {
        region: s("eu-west-1"),
        instance_arn: s("arn:aws:sso:::instance/ssoins-1"),
        call,
    })
}

pub fn budgets(call: BudgetsCall) -> Op {
    Op::Budgets(BudgetsOp {
        account_id: s("111111111111"),
        call,
    })
}
