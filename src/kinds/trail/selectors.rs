//! The trail's event selectors. plinth manages the management-event selection only:
//! management events, read and write, from every source. Data-event selectors (basic or
//! advanced) that someone added are read, shown and kept; a repair changes as little as
//! it can and puts the whole list back, since CloudTrail replaces it whole.

use crate::observed::{AdvancedSelector, EventSelector, FieldSelector, Selectors};

/// The basic selector plinth wants somewhere in the list.
pub fn management_events() -> EventSelector {
    EventSelector {
        read_write_type: "All".into(),
        include_management_events: true,
        data_resources: vec![],
        exclude_management_event_sources: vec![],
    }
}

/// The advanced selector plinth wants somewhere in the list.
pub fn management_events_advanced() -> AdvancedSelector {
    AdvancedSelector {
        name: Some("Management events".into()),
        field_selectors: vec![category()],
    }
}

fn category() -> FieldSelector {
    FieldSelector {
        field: "eventCategory".into(),
        equals: vec!["Management".into()],
        ..FieldSelector::default()
    }
}

fn selects_management(s: &AdvancedSelector) -> bool {
    s.field_selectors
        .iter()
        .any(|f| f.field == "eventCategory" && f.equals == ["Management"])
}

/// The selectors to put, and why, when management events are not all selected; `None`
/// when they are.
pub fn repair(live: &Selectors) -> Option<(Selectors, String)> {
    match live {
        Selectors::Basic(list) => repair_basic(list).map(|(s, why)| (Selectors::Basic(s), why)),
        Selectors::Advanced(list) => repair_advanced(list).map(|(s, why)| (Selectors::Advanced(s), why)),
    }
}

fn repair_basic(live: &[EventSelector]) -> Option<(Vec<EventSelector>, String)> {
    let excluded: Vec<&str> = live
        .iter()
        .flat_map(|s| s.exclude_management_event_sources.iter().map(String::as_str))
        .collect();
    let complete = |s: &EventSelector| s.include_management_events && s.read_write_type == "All";
    let has_all = live.iter().any(complete);
    if has_all && excluded.is_empty() {
        return None;
    }
    let why = if live.is_empty() {
        "management events (read and write) are not selected explicitly".to_owned()
    } else if !excluded.is_empty() {
        format!(
            "management events from {} are excluded",
            excluded.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
        )
    } else {
        "management events are not selected for both read and write".to_owned()
    };
    let mut out = Vec::new();
    for s in live {
        let mut s = s.clone();
        s.exclude_management_event_sources.clear();
        if s.include_management_events && s.read_write_type != "All" {
            if s.data_resources.is_empty() {
                continue; // a partial management selector: plinth's complete one replaces it
            }
            s.include_management_events = false; // keep its data events as they are
        }
        out.push(s);
    }
    if !out.iter().any(complete) {
        out.insert(0, management_events());
    }
    Some((out, why))
}

fn repair_advanced(live: &[AdvancedSelector]) -> Option<(Vec<AdvancedSelector>, String)> {
    let complete = |s: &AdvancedSelector| s.field_selectors == [category()];
    if live.iter().any(complete) {
        return None;
    }
    let mut out = live.to_vec();
    if let Some(s) = out.iter_mut().find(|s| selects_management(s)) {
        s.field_selectors = vec![category()];
        Some((
            out,
            "the management-event selector leaves some management events out (read-only or event source conditions)"
                .into(),
        ))
    } else {
        out.insert(0, management_events_advanced());
        Some((out, "no advanced event selector selects management events".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observed::DataResource;

    fn data(rw: &str, mgmt: bool) -> EventSelector {
        EventSelector {
            read_write_type: rw.into(),
            include_management_events: mgmt,
            data_resources: vec![DataResource {
                r#type: "AWS::S3::Object".into(),
                values: vec!["arn:aws:s3:::payments/".into()],
            }],
            exclude_management_event_sources: vec![],
        }
    }

    #[test]
    fn a_complete_selection_with_data_events_is_left_alone() {
        assert_eq!(repair(&Selectors::Basic(vec![data("All", true)])), None);
        assert_eq!(
            repair(&Selectors::Basic(vec![management_events(), data("ReadOnly", false)])),
            None
        );
    }

    #[test]
    fn excluded_sources_are_drift_and_data_events_survive_the_repair() {
        let mut s = data("All", true);
        s.exclude_management_event_sources = vec!["kms.amazonaws.com".into()];
        let (fixed, why) = repair(&Selectors::Basic(vec![s])).unwrap();
        assert_eq!(why, "management events from `kms.amazonaws.com` are excluded");
        assert_eq!(fixed, Selectors::Basic(vec![data("All", true)]));
    }

    #[test]
    fn a_read_only_management_selection_is_completed_keeping_its_data_events() {
        let (fixed, why) = repair(&Selectors::Basic(vec![data("ReadOnly", true)])).unwrap();
        assert_eq!(why, "management events are not selected for both read and write");
        assert_eq!(
            fixed,
            Selectors::Basic(vec![management_events(), data("ReadOnly", false)])
        );
        let (fixed, _) = repair(&Selectors::Basic(vec![])).unwrap();
        assert_eq!(fixed, Selectors::Basic(vec![management_events()]));
    }

    #[test]
    fn advanced_selectors_keep_their_form_and_their_data_selectors() {
        let s3 = AdvancedSelector {
            name: Some("S3 writes".into()),
            field_selectors: vec![
                FieldSelector {
                    field: "eventCategory".into(),
                    equals: vec!["Data".into()],
                    ..FieldSelector::default()
                },
                FieldSelector {
                    field: "resources.type".into(),
                    equals: vec!["AWS::S3::Object".into()],
                    ..FieldSelector::default()
                },
            ],
        };
        let converged = Selectors::Advanced(vec![management_events_advanced(), s3.clone()]);
        assert_eq!(repair(&converged), None, "no perpetual drift on advanced selectors");

        let mut partial = management_events_advanced();
        partial.field_selectors.push(FieldSelector {
            field: "eventSource".into(),
            not_equals: vec!["kms.amazonaws.com".into()],
            ..FieldSelector::default()
        });
        let (fixed, _) = repair(&Selectors::Advanced(vec![partial, s3.clone()])).unwrap();
        assert_eq!(fixed, converged);

        let (fixed, why) = repair(&Selectors::Advanced(vec![s3.clone()])).unwrap();
        assert_eq!(why, "no advanced event selector selects management events");
        assert_eq!(fixed, converged);
    }
}
