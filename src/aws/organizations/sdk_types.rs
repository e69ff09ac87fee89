//! The SDK's policy types against plinth's table (`types::policy_types`): an SDK upgrade
//! that adds a type fails this test until the type is either in the table or listed in
//! [`DELIBERATELY_UNSUPPORTED`] with the reason.

/// Types of the SDK plinth deliberately does not manage, each with its reason.
const DELIBERATELY_UNSUPPORTED: &[(&str, &str)] = &[];

mod tests {
    use aws_sdk_organizations::types::{EffectivePolicyType, PolicyType};

    use super::DELIBERATELY_UNSUPPORTED;
    use crate::types::policy_types::PolicyType as Known;

    #[test]
    fn every_sdk_policy_type_is_supported_or_listed_with_a_reason() {
        let mut unaccounted = vec![];
        for api in PolicyType::values() {
            let listed = DELIBERATELY_UNSUPPORTED.iter().find(|(t, _)| t == api);
            match (Known::from_api(api), listed) {
                (Some(_), None) => {}
                (None, Some((_, reason))) => assert!(!reason.trim().is_empty(), "{api}: give the reason"),
                (Some(_), Some(_)) => panic!("{api} is supported and listed as unsupported"),
                (None, None) => unaccounted.push(*api),
            }
        }
        assert!(
            unaccounted.is_empty(),
            "the SDK knows policy types plinth neither supports nor lists as unsupported: {unaccounted:?}; \
             add each to src/types/policy_types.rs or to DELIBERATELY_UNSUPPORTED with the reason"
        );
        for t in Known::ALL {
            assert!(
                PolicyType::values().contains(&t.api()),
                "{t} is not a type the SDK knows"
            );
        }
    }

    #[test]
    fn management_types_are_the_ones_with_an_effective_policy() {
        // AWS computes an effective policy for every management policy type, never for
        // SCPs or RCPs (DescribeEffectivePolicy's `PolicyType`).
        for t in Known::ALL {
            let management = matches!(t.rules().syntax, crate::types::policy_types::Syntax::Management { .. });
            assert_eq!(EffectivePolicyType::values().contains(&t.api()), management, "{t}");
        }
    }
}
