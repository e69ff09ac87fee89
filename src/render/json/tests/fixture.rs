//! A plan with one change of every operation, every optional field of a change set and
//! left out, and an apply report of every status: plain data, no AWS.

use serde_json::json;

use super::ops::every_op;
use super::values::s;
use super::variants::variant;
use crate::apply::{ApplyReport, Outcome, Status};
use crate::plan::impact::{Effect, Impact, ImpactAccount, Subject};
use crate::plan::{Action, Address, Blocked, Change, Op, Orphan, Plan};
use crate::policy::diff::StatementDiff;

/// One change of every operation; the first ones carry every optional field of a change
/// (before, after, the statement diff, dependencies, an impact) in their variations.
pub fn plan() -> Plan {
    let mut changes: Vec<Change> = every_op()
        .into_iter()
        .enumerate()
        .map(|(n, op)| {
            let kind = variant(&op).split('.').next().expect("a service");
            let address = Address::new(kind, format!("{kind}.op{n:02}"));
            Change::new(address, Action::ALL[n % Action::ALL.len()], format!("because {n}"), op)
        })
        .collect();
    let scp = json!({"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Deny"}]});
    let first = changes[0].address.clone();
    changes[1] = changes[1]
        .clone()
        .after(Some(scp.clone()))
        .depends_on(vec![first.clone()]);
    changes[2] = changes[2]
        .clone()
        .before(Some(json!(null)))
        .after(Some(json!({"a": [1, 2.5, "x"]})));
    changes[3].statement_diff = vec![
        StatementDiff::Added {
            sid: None,
            after: scp.clone(),
        },
        StatementDiff::Added {
            sid: Some(s("A")),
            after: scp.clone(),
        },
        StatementDiff::Removed {
            sid: None,
            before: scp.clone(),
        },
        StatementDiff::Removed {
            sid: Some(s("B")),
            before: json!({}),
        },
        StatementDiff::Changed {
            sid: s("C"),
            before: json!({}),
            after: scp,
        },
    ];
    // The log archive's changes act in its account.
    for c in &mut changes {
        if let Op::S3(op) = &c.op
            && serde_json::to_string(op).is_ok_and(|j| j.contains("archive"))
        {
            *c = c.clone().in_account("222222222222");
        }
    }
    let account = |name: &str, id: Option<&str>| ImpactAccount {
        name: s(name),
        id: id.map(s),
    };
    for (n, (subject, effect)) in [
        (Subject::Policy, Effect::Gain),
        (Subject::Access, Effect::Lose),
        (Subject::Account, Effect::Move),
        (Subject::Policy, Effect::Change),
    ]
    .into_iter()
    .enumerate()
    {
        let full = n % 2 == 0;
        let impact = Impact {
            subject,
            what: format!("SCP `region-deny` {n}"),
            effect,
            accounts: vec![account("payments", None), account("prod", Some("222222222222"))],
            ous: if full {
                vec![s("root"), s("Workloads")]
            } else {
                Vec::new()
            },
            not_affected: full.then(|| s("the management account")),
            gains: if full { vec![s("SCP `a`")] } else { Vec::new() },
            loses: if full {
                vec![s("SCP `b`"), s("SCP `c`")]
            } else {
                Vec::new()
            },
        };
        changes[4 + n] = changes[4 + n]
            .clone()
            .depends_on(vec![first.clone()])
            .impact(Some(impact));
    }
    Plan {
        changes,
        orphans: vec![Orphan {
            address: "scp.retired".parse().expect("an address"),
            reason: s("plinth's, no longer in the baseline"),
        }],
        blocked: vec![
            Blocked {
                target: s("account:twin"),
                at: s("baseline.toml:3:9"),
                error: s("two accounts are named `twin`"),
                ids: vec![s("222222222222"), s("333333333333")],
                hint: None,
            },
            Blocked {
                target: s("trail"),
                at: s("baseline.toml:9:1"),
                error: s("the bucket is another account's"),
                ids: Vec::new(),
                hint: Some(s("name another bucket")),
            },
        ],
        warnings: vec![s("a warning")],
        notes: vec![s("a note \u{1b}[31m")],
        // Never rendered: a plan with needs is planned again before anyone sees it.
        needs: [crate::plan::Need::Attachments {
            policy_type: crate::types::policy_types::PolicyType::Scp,
            target_id: s("ou-1"),
        }]
        .into(),
    }
}

/// An apply report of every status, an id given and not.
pub fn report() -> ApplyReport {
    let outcome = |n: u8, action, status| Outcome {
        address: format!("scp.op{n}").parse().expect("an address"),
        action,
        status,
    };
    ApplyReport {
        outcomes: vec![
            outcome(0, Action::Create, Status::Done { id: Some(s("p-1")) }),
            outcome(1, Action::Adopt, Status::Done { id: None }),
            outcome(2, Action::Attach, Status::Failed { error: s("denied") }),
            outcome(
                3,
                Action::Delete,
                Status::Skipped {
                    because: s("`scp.op2` failed"),
                },
            ),
        ],
    }
}
