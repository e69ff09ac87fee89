//! The two ways of listing accounts, on mocked Organizations answers.

use aws_sdk_organizations::Client;
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::operation::list_accounts_for_parent::ListAccountsForParentOutput;
use aws_sdk_organizations::operation::list_organizational_units_for_parent::ListOrganizationalUnitsForParentOutput;
use aws_sdk_organizations::operation::list_parents::ListParentsOutput;
use aws_sdk_organizations::types::{Account, OrganizationalUnit, Parent};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};

use super::walk_is_cheaper;
use crate::aws::organizations::{Organizations, ReadScope};
use crate::types::OuPath;

#[test]
fn the_walk_is_chosen_when_most_parents_are_listed_anyway() {
    // No OU's accounts needed: list the accounts, never walk.
    assert!(!walk_is_cheaper(0, 0));
    assert!(!walk_is_cheaper(0, 100));
    // 100 OUs and the root: 51 needed OUs make the walk cheaper, 50 do not.
    assert!(walk_is_cheaper(51, 100));
    assert!(!walk_is_cheaper(50, 100));
    assert!(walk_is_cheaper(100, 100));
    // One OU, needed: the walk adds the root alone.
    assert!(walk_is_cheaper(1, 1));
}

fn account(id: &str) -> Account {
    Account::builder()
        .id(id)
        .name(format!("n{id}"))
        .email(format!("{id}@example.com"))
        .build()
}

/// Root `r-1` holds the management account and two OUs, `Workloads` (`ou-w`, accounts
/// 2 and 3) and `Sandbox` (`ou-s`, account 4).
fn organization() -> Vec<Rule> {
    let top = mock!(Client::list_organizational_units_for_parent)
        .match_requests(|r| r.parent_id() == Some("r-1"))
        .then_output(|| {
            ListOrganizationalUnitsForParentOutput::builder()
                .organizational_units(OrganizationalUnit::builder().id("ou-w").name("Workloads").build())
                .organizational_units(OrganizationalUnit::builder().id("ou-s").name("Sandbox").build())
                .build()
        });
    let leaves = mock!(Client::list_organizational_units_for_parent)
        .then_output(|| ListOrganizationalUnitsForParentOutput::builder().build());
    let in_root = mock!(Client::list_accounts_for_parent)
        .match_requests(|r| r.parent_id() == Some("r-1"))
        .then_output(|| {
            ListAccountsForParentOutput::builder()
                .accounts(account("111111111111"))
                .build()
        });
    let in_workloads = mock!(Client::list_accounts_for_parent)
        .match_requests(|r| r.parent_id() == Some("ou-w"))
        .then_output(|| {
            ListAccountsForParentOutput::builder()
                .accounts(account("222222222222"))
                .accounts(account("333333333333"))
                .build()
        });
    let in_sandbox = mock!(Client::list_accounts_for_parent)
        .match_requests(|r| r.parent_id() == Some("ou-s"))
        .then_output(|| {
            ListAccountsForParentOutput::builder()
                .accounts(account("444444444444"))
                .build()
        });
    let all = mock!(Client::list_accounts).then_output(|| {
        ListAccountsOutput::builder()
            .accounts(account("111111111111"))
            .accounts(account("222222222222"))
            .accounts(account("333333333333"))
            .accounts(account("444444444444"))
            .build()
    });
    let parents = mock!(Client::list_parents).then_output(|| {
        ListParentsOutput::builder()
            .parents(Parent::builder().id("ou-s").build())
            .build()
    });
    vec![top, leaves, in_root, in_workloads, in_sandbox, all, parents]
}

fn scope(ous: &[&str], declared: &[(&str, &str)]) -> ReadScope {
    ReadScope {
        member_ous: ous.iter().map(|p| OuPath::parse(p).unwrap()).collect(),
        accounts: declared.iter().map(|(e, n)| (e.to_string(), n.to_string())).collect(),
        ..ReadScope::default()
    }
}

fn parents(s: &super::Structure) -> Vec<(String, Option<String>)> {
    let mut p: Vec<_> = s.accounts.iter().map(|a| (a.id.clone(), a.parent_id.clone())).collect();
    p.sort();
    p
}

#[tokio::test]
async fn when_most_ous_are_needed_every_parent_is_walked_and_nothing_listed_twice() {
    let rules = organization();
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &rules.iter().collect::<Vec<_>>()
    );
    let org = Organizations::new(client);
    let s = org
        .read_structure(
            "r-1",
            &scope(&["Workloads", "Sandbox"], &[("111111111111@example.com", "x")]),
        )
        .await
        .unwrap();
    assert_eq!(
        parents(&s),
        [
            ("111111111111".to_owned(), Some("r-1".to_owned())),
            ("222222222222".to_owned(), Some("ou-w".to_owned())),
            ("333333333333".to_owned(), Some("ou-w".to_owned())),
            ("444444444444".to_owned(), Some("ou-s".to_owned())),
        ]
    );
    assert_eq!(s.ou_accounts["ou-w"], ["222222222222", "333333333333"]);
    let calls: Vec<usize> = rules.iter().map(Rule::num_calls).collect();
    // Each parent once, no ListAccounts, no ListParents.
    assert_eq!(calls, [1, 2, 1, 1, 1, 0, 0]);
}

#[tokio::test]
async fn when_no_ou_is_needed_accounts_are_listed_and_declared_ones_placed() {
    let rules = organization();
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &rules.iter().collect::<Vec<_>>()
    );
    let org = Organizations::new(client);
    let s = org
        .read_structure("r-1", &scope(&[], &[("444444444444@example.com", "x")]))
        .await
        .unwrap();
    assert_eq!(s.accounts.len(), 4);
    assert_eq!(
        parents(&s).into_iter().filter(|(_, p)| p.is_some()).collect::<Vec<_>>(),
        [("444444444444".to_owned(), Some("ou-s".to_owned()))]
    );
    assert!(s.ou_accounts.is_empty());
    let calls: Vec<usize> = rules.iter().map(Rule::num_calls).collect();
    // The tree, ListAccounts once, ListParents for the declared account; no OU listed.
    assert_eq!(calls, [1, 2, 0, 0, 0, 1, 1]);
}

#[tokio::test]
async fn when_few_ous_are_needed_they_are_listed_besides_the_accounts() {
    let rules = organization();
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        &rules.iter().collect::<Vec<_>>()
    );
    let org = Organizations::new(client);
    let s = org.read_structure("r-1", &scope(&["Workloads"], &[])).await.unwrap();
    assert_eq!(s.accounts.len(), 4);
    assert_eq!(s.ou_accounts.keys().collect::<Vec<_>>(), ["ou-w"]);
    let calls: Vec<usize> = rules.iter().map(Rule::num_calls).collect();
    // One of two OUs needed: listing the other and the root would cost as much as the
    // account list, so the list is read and only Workloads is walked.
    assert_eq!(calls, [1, 2, 0, 1, 0, 1, 0]);
}
