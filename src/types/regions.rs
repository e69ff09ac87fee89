//! The AWS regions plinth accepts in a baseline, and suggestions for near misses.
//!
//! Offline by design: `plinth validate` must not call AWS. When AWS opens a region, add
//! it here (the list is also what the region-deny SCP's `aws:RequestedRegion` allows).

pub const KNOWN: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

pub fn is_known(s: &str) -> bool {
    KNOWN.contains(&s)
}

/// The known region closest to `s`, if it is plausibly a typo of it.
pub fn suggest(s: &str) -> Option<&'static str> {
    let normalised = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    if is_known(&normalised) {
        return KNOWN.iter().copied().find(|r| *r == normalised);
    }
    KNOWN
        .iter()
        .map(|r| (strsim::damerau_levenshtein(&normalised, r), *r))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, r)| (*d, *r))
        .map(|(_, r)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("eu_west_1"), Some("eu-west-1"));
        assert_eq!(suggest("US-EAST-1"), Some("us-east-1"));
        assert_eq!(suggest("us-east-9"), Some("us-east-1"));
        assert_eq!(suggest("eu-wset-1"), Some("eu-west-1"));
        assert_eq!(suggest("mars-north-1"), None);
    }
}
