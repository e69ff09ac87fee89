//! The plan as a graph: each change's address is its key, and each dependency names a
//! change of the same plan. [`Plan::finish`] checks both once every kind has planned, so
//! a typo in a dependency or two changes at one address is a bug reported at planning,
//! not an ordering silently dropped at apply.

use std::collections::HashSet;

use super::{AddrMap, Address, Plan};

/// What makes a plan's changes not a graph: a planner's bug, never the user's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("two changes have the address `{0}`")]
    Duplicate(Address),
    #[error("`{change}` depends on `{dependency}`, which is not in the plan")]
    Dangling { change: Address, dependency: Address },
}

impl Plan {
    /// Each change's index by its address.
    pub fn index(&self) -> AddrMap<usize> {
        self.changes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.address.clone(), i))
            .collect()
    }

    /// The plan once every kind has added its changes: each address once, each
    /// dependency in the plan. A change's dependencies on later kinds' changes
    /// ([`super::Change::depends_on_if_planned`]) are kept where those are planned.
    pub fn finish(mut self) -> Result<Plan, GraphError> {
        let mut seen = HashSet::with_capacity(self.changes.len());
        for c in &self.changes {
            if !seen.insert(c.address.as_str()) {
                return Err(GraphError::Duplicate(c.address.clone()));
            }
        }
        drop(seen);
        let index = self.index();
        for c in &mut self.changes {
            for d in std::mem::take(&mut c.if_planned) {
                if index.contains_key(&d) && !c.depends_on.contains(&d) {
                    c.depends_on.push(d);
                }
            }
            if let Some(d) = c.depends_on.iter().find(|d| !index.contains_key(*d)) {
                return Err(GraphError::Dangling {
                    change: c.address.clone(),
                    dependency: d.clone(),
                });
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Change, Op, SnsOp};

    fn change(address: &str) -> Change {
        let op = Op::Sns(SnsOp::Subscribe {
            topic_arn: "arn:aws:sns:us-east-1:123456789012:t".into(),
            protocol: "email".into(),
            endpoint: "a@example.com".into(),
        });
        Change::new(address.parse().unwrap(), Action::Create, "", op)
    }

    fn at(text: &str) -> Address {
        text.parse().unwrap()
    }

    #[test]
    fn two_changes_at_one_address_are_refused() {
        let plan = Plan {
            changes: vec![change("billing.topic"), change("billing.topic")],
            ..Plan::default()
        };
        assert_eq!(plan.finish(), Err(GraphError::Duplicate(at("billing.topic"))));
    }

    #[test]
    fn a_dependency_outside_the_plan_is_refused() {
        let plan = Plan {
            changes: vec![change("trail.alarm").depends_on(vec![at("trail.log_grup")])],
            ..Plan::default()
        };
        assert_eq!(
            plan.finish().unwrap_err().to_string(),
            "`trail.alarm` depends on `trail.log_grup`, which is not in the plan"
        );
    }

    #[test]
    fn a_dependency_on_a_later_kind_is_kept_only_where_that_kind_plans_it() {
        let alarm = || change("trail.alarm").depends_on_if_planned(vec![at("billing.topic")]);
        let alone = Plan {
            changes: vec![alarm()],
            ..Plan::default()
        }
        .finish()
        .unwrap();
        assert!(alone.changes[0].depends_on.is_empty());
        let with_topic = Plan {
            changes: vec![alarm(), change("billing.topic")],
            ..Plan::default()
        }
        .finish()
        .unwrap();
        assert_eq!(with_topic.changes[0].depends_on, ["billing.topic"]);
    }
}
