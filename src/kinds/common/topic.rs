//! An SNS topic plinth owns, in us-east-1, that its alarms notify: created with plinth's
//! tag, a policy statement that lets CloudWatch publish plinth's alarms (other
//! statements kept), and the e-mail subscriptions the baseline lists. Used by `[billing]`
//! and by `[trail]`'s root-usage alarm.

use std::ops::Range;

use serde_json::{Value, json};
use toml::Spanned;

use super::adopt;
use crate::diag::Diagnostics;
use crate::kinds::Context;
use crate::observed::{Subscription, Topic};
use crate::plan::{Action, Address, Change, Op, Plan, SnsOp};
use crate::types::Email;

pub const REGION: &str = "us-east-1";
/// The Sid of plinth's statement in the topic policy.
pub const TOPIC_POLICY_SID: &str = "PlinthAllowCloudWatchAlarms";
/// Every alarm plinth creates starts with this.
pub const ALARM_NAME_PREFIX: &str = "plinth-";

/// A topic the baseline declares.
pub struct TopicDecl<'a> {
    /// Where the topic's changes go: the topic at `<within>.topic`, its policy at
    /// `<within>.topic.policy`, subscriptions at `<within>.subscription.<e-mail>`.
    pub within: Address,
    /// The baseline key listing the e-mails, for notes.
    pub notify_key: &'a str,
    pub name: &'a str,
    /// Where the name is declared, for errors.
    pub name_span: Range<usize>,
    pub notify: &'a [Spanned<Email>],
    /// AWS Budgets publishes to it too (a `[[budget]]` notifies the topic).
    pub budgets: bool,
    /// The baseline leaves an existing topic's access policy as it is
    /// (`topic_policy = "keep"`): plinth puts none of its statements there.
    pub keep_policy: bool,
}

impl TopicDecl<'_> {
    /// The topic's own address: `billing.topic`.
    pub fn address(&self) -> Address {
        self.within.child("topic")
    }
}

/// Each e-mail of a topic's `notify` list once (AWS compares addresses without case):
/// a subscription is one change, at one address.
pub fn check_notify(src: &crate::diag::SourceFile, key: &str, notify: &[Spanned<Email>], diags: &mut Diagnostics) {
    let mut seen = std::collections::HashSet::new();
    for email in notify {
        if !seen.insert(email.get_ref().as_str().to_ascii_lowercase()) {
            diags.push(
                crate::diag::Diagnostic::error(format!("`{}` is listed twice in `{key}`", email.get_ref()))
                    .at(src, email.span()),
            );
        }
    }
}

pub fn topic_arn(account: &str, name: &str) -> String {
    format!("arn:aws:sns:{REGION}:{account}:{name}")
}

/// plinth's statement in the topic policy: CloudWatch may publish plinth's alarms.
pub fn topic_statement(topic_arn: &str, account: &str) -> Value {
    json!({
        "Sid": TOPIC_POLICY_SID,
        "Effect": "Allow",
        "Principal": { "Service": "cloudwatch.amazonaws.com" },
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": {
            "ArnLike": { "aws:SourceArn": format!("arn:aws:cloudwatch:{REGION}:{account}:alarm:{ALARM_NAME_PREFIX}*") },
            "StringEquals": { "aws:SourceAccount": account }
        }
    })
}

/// The Sid of plinth's statement letting AWS Budgets publish, when budgets notify the topic.
pub const BUDGETS_POLICY_SID: &str = "PlinthAllowBudgets";

/// plinth's statement in the topic policy for AWS Budgets: its alerts of this account.
pub fn budgets_statement(topic_arn: &str, account: &str) -> Value {
    json!({
        "Sid": BUDGETS_POLICY_SID,
        "Effect": "Allow",
        "Principal": { "Service": "budgets.amazonaws.com" },
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": {
            "ArnLike": { "aws:SourceArn": format!("arn:aws:budgets::{account}:*") },
            "StringEquals": { "aws:SourceAccount": account }
        }
    })
}

/// The account owner's full access, as SNS gives a new topic.
fn owner_statement(topic_arn: &str, account: &str) -> Value {
    json!({
        "Sid": "PlinthOwnerAccess",
        "Effect": "Allow",
        "Principal": { "AWS": format!("arn:aws:iam::{account}:root") },
        "Action": ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission",
                   "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"],
        "Resource": topic_arn
    })
}

/// plinth's statements for the topic: CloudWatch's, and with `budgets` AWS Budgets'.
fn our_statements(topic_arn: &str, account: &str, budgets: bool) -> Vec<Value> {
    let mut ours = vec![topic_statement(topic_arn, account)];
    if budgets {
        ours.push(budgets_statement(topic_arn, account));
    }
    ours
}

/// The topic policy plinth wants: the live one with plinth's statement put in (others'
/// statements kept, and none of ours that a live statement already grants exactly:
/// `policy::grants`), or, for a new topic, the owner's access and plinth's statement;
/// with `budgets`, also the statement that lets AWS Budgets publish (without, plinth's
/// statement for it is taken out).
pub fn topic_policy(live: Option<&str>, topic_arn: &str, account: &str, budgets: bool) -> Value {
    let mut ours = our_statements(topic_arn, account, budgets);
    let mut doc = if live.is_some() {
        let (ours, _) = crate::policy::grants::not_yet_granted(live, &ours);
        crate::policy::merge_statements(live, &ours)
    } else {
        ours.insert(0, owner_statement(topic_arn, account));
        crate::policy::merge_statements(None, &ours)
    };
    // plinth's statement for AWS Budgets goes once no budget notifies the topic.
    if !budgets && let Some(Value::Array(statements)) = doc.get_mut("Statement") {
        statements
            .retain(|s| crate::policy::is_deny(s) || s.get("Sid").and_then(Value::as_str) != Some(BUDGETS_POLICY_SID));
    }
    doc
}

/// Plan the topic, its policy and its subscriptions. Returns the topic's ARN and the
/// changes that must happen before alarms can point at it.
pub fn plan_topic(
    cx: &Context<'_>,
    plan: &mut Plan,
    diags: &mut Diagnostics,
    decl: &TopicDecl<'_>,
    observed: Option<&Topic>,
) -> (String, Vec<Address>) {
    let account = cx.observed.org.management_account_id.as_str();
    let arn = topic_arn(account, decl.name);
    let mut deps = vec![];
    let address = decl.address();
    match observed {
        None => {
            let policy = topic_policy(None, &arn, account, decl.budgets);
            plan.add(
                Change::new(
                    address.clone(),
                    Action::Create,
                    format!("no SNS topic `{}` in {REGION}", decl.name),
                    Op::Sns(SnsOp::CreateTopic {
                        name: decl.name.to_owned(),
                        policy: crate::policy::minify(&policy),
                    }),
                )
                .after(Some(policy)),
            );
            deps.push(address.clone());
        }
        Some(Topic {
            managed_by: Some(other),
            owned: false,
            arn,
            ..
        }) => diags.push(adopt::managed_elsewhere(
            &cx.baseline.source,
            decl.name_span.clone(),
            &format!("SNS topic `{arn}`"),
            other,
        )),
        Some(t) => {
            if !t.owned {
                let change = adopt::change(
                    &address,
                    &format!("SNS topic `{}`", decl.name),
                    Op::Sns(SnsOp::TagResource {
                        topic_arn: t.arn.clone(),
                    }),
                );
                deps.push(change.address.clone());
                plan.add(change);
            }
            if decl.keep_policy {
                kept_policy_warnings(plan, t, decl.budgets);
            } else {
                topic_policy_change(plan, &address, t, account, decl.budgets, &deps);
            }
        }
    }

    // Subscriptions: add what is missing, report what awaits confirmation.
    let live: &[Subscription] = observed.map_or(&[], |t| &t.subscriptions);
    for email in decl.notify {
        let email = email.get_ref().as_str();
        match live
            .iter()
            .find(|s| s.protocol == "email" && s.endpoint.eq_ignore_ascii_case(email))
        {
            Some(s) if s.pending => plan.notes.push(format!(
                "`{email}` has not confirmed its subscription to `{}` yet; AWS sent it a confirmation e-mail",
                decl.name
            )),
            Some(_) => {}
            None => plan.add(
                Change::new(
                    decl.within.child("subscription").child(email),
                    Action::Create,
                    format!("`{email}` is not subscribed to the topic"),
                    Op::Sns(SnsOp::Subscribe {
                        topic_arn: arn.clone(),
                        protocol: "email".into(),
                        endpoint: email.to_owned(),
                    }),
                )
                .depends_on(deps.clone()),
            ),
        }
    }
    for s in live {
        if !decl
            .notify
            .iter()
            .any(|e| s.endpoint.eq_ignore_ascii_case(e.get_ref().as_str()))
        {
            plan.notes.push(format!(
                "`{}` ({}) is subscribed to `{}` but not in `{}`; plinth leaves it",
                s.endpoint, s.protocol, decl.name, decl.notify_key
            ));
        }
    }
    (arn, deps)
}

/// What plinth still checks in a topic policy the baseline keeps as it is: a `Deny` that
/// can stop the topic's publishers (someone could silence the alarms that way, and plinth
/// repairs nothing there), and AWS Budgets publishing with nothing of plinth's letting it.
fn kept_policy_warnings(plan: &mut Plan, topic: &Topic, budgets: bool) {
    let what = format!("topic `{}`", topic.arn);
    for sid in denies_publish(topic.policy.as_deref()) {
        plan.warnings.push(format!(
            "{what}'s policy, which the baseline keeps as it is (`topic_policy = \"keep\"`), denies `sns:Publish` in statement {sid}: alarms or budgets may not reach the topic"
        ));
    }
    if budgets {
        plan.warnings.push(format!(
            "{what}: a `[[budget]]` notifies it, but with `topic_policy = \"keep\"` plinth adds no `{BUDGETS_POLICY_SID}` statement; the kept policy must let `budgets.amazonaws.com` publish"
        ));
    }
}

/// The statements of a live policy that deny `sns:Publish` (by name or wildcard), shown
/// by `Sid` (or position), printable.
fn denies_publish(live: Option<&str>) -> Vec<String> {
    let Some(doc) = live.and_then(|p| serde_json::from_str::<Value>(p).ok()) else {
        return vec![];
    };
    let statements = match &doc["Statement"] {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let publishes = |a: &str| {
        let a = a.to_ascii_lowercase();
        a == "*"
            || a == "sns:*"
            || a == "sns:publish"
            || (a.starts_with("sns:") && a.ends_with('*') && "sns:publish".starts_with(a.trim_end_matches('*')))
    };
    let mut out = vec![];
    for (i, s) in statements.iter().enumerate() {
        let actions: Vec<&str> = match &s["Action"] {
            Value::String(a) => vec![a.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let not_action = s.get("NotAction").is_some();
        if s["Effect"] == "Deny" && (not_action || actions.iter().any(|a| publishes(a))) {
            out.push(match s["Sid"].as_str() {
                Some(sid) => format!("`{}`", crate::diag::printable(sid)),
                None => format!("{}", i + 1),
            });
        }
    }
    out
}

/// Put plinth's statement into an owned topic's policy when it is missing or differs.
fn topic_policy_change(
    plan: &mut Plan,
    address: &Address,
    topic: &Topic,
    account: &str,
    budgets: bool,
    deps: &[Address],
) {
    let want = topic_policy(topic.policy.as_deref(), &topic.arn, account, budgets);
    let ours = [
        topic_statement(&topic.arn, account),
        budgets_statement(&topic.arn, account),
    ];
    for sid in crate::policy::denies_under(topic.policy.as_deref(), &ours) {
        plan.warnings.push(shadowed(&format!("topic `{}`", topic.arn), &sid));
    }
    let wanted = our_statements(&topic.arn, account, budgets);
    let (_, recognised) = crate::policy::grants::not_yet_granted(topic.policy.as_deref(), &wanted);
    if !recognised.is_empty() {
        plan.notes
            .push(already_granted(&format!("topic `{}`", topic.arn), &recognised));
    }
    let reason = format!("the topic policy lacks plinth's `{TOPIC_POLICY_SID}` statement or it differs");
    let change = crate::plan::policy_document_change(
        address.child("policy"),
        topic.policy.as_deref(),
        &want,
        (&reason, &reason),
        |policy| {
            Op::Sns(SnsOp::SetTopicPolicy {
                topic_arn: topic.arn.clone(),
                policy,
            })
        },
    );
    if let Some(change) = change {
        plan.add(change.depends_on(deps.to_vec()));
    }
}

/// The note for statements of plinth's that `what`'s policy already grants under other `Sid`s.
pub fn already_granted(what: &str, sids: &[String]) -> String {
    let sids: Vec<String> = sids.iter().map(|s| format!("`{s}`")).collect();
    format!(
        "{what}'s policy already grants exactly what plinth's {} would, under other Sids: plinth adds no duplicate",
        sids.join(", ")
    )
}

/// The warning for a `Deny` someone put under one of plinth's `Sid`s in `what`'s policy.
pub fn shadowed(what: &str, sid: &str) -> String {
    format!(
        "{what}'s policy has a `Deny` statement under plinth's Sid `{sid}`: plinth never removes a `Deny`, so it leaves its own `{sid}` statement out; give that statement another Sid"
    )
}
