//! Live values written to attack the reader: every renderer shows an account, OU,
//! policy, permission set, group, description, tag or AWS error message that holds
//! backtick runs, HTML, a table cell break, an entity, a link, a screen clear, a line
//! break and a bidirectional override as the characters it holds, and nothing more.
//! Markdown is read back with a CommonMark + GFM-tables parser (`pulldown-cmark`), as a
//! pull-request comment would be; text is checked byte by byte; JSON must carry the
//! true value; the HTML page is scanned and opened in headless Chromium.

mod fixtures;
mod read;

use fixtures::{H, OU, TRAIL, access_report, hostile_plan, hostile_report};
use plinth::plan::Plan;
use plinth::render;
use read::{assert_shows_the_markup, assert_terminal_safe, read_markdown};
use serde_json::{Value, json};

#[test]
fn the_text_plan_shows_hostile_names_as_characters() {
    let out = render::text::plan(&hostile_plan());
    assert_terminal_safe(&out);
    assert_shows_the_markup(&out);
    insta::assert_snapshot!(out);
}

#[test]
fn the_markdown_plan_shows_hostile_names_as_characters() {
    let md = render::markdown::plan(&hostile_plan());
    let (headings, shown) = read_markdown(&md);
    assert_shows_the_markup(&shown);
    let (summary, sections) = headings.split_first().expect("headings");
    assert!(summary.starts_with("plinth plan: "), "{summary}");
    for h in sections {
        let known = ["Impact", "Kept, no longer in the baseline", "Notes", "Warnings"].contains(&h.as_str())
            || h.split_once(' ').is_some_and(|(kind, count)| {
                plinth::kinds::NAMES.contains(&kind) && count.starts_with('(') && count.contains(" change")
            });
        assert!(known, "a heading from a value: {h}");
    }
    insta::assert_snapshot!(md);
}

#[test]
fn the_json_plan_carries_the_true_values() {
    let plan = hostile_plan();
    let out = render::json::plan(&plan);
    // The text holds no hidden character (each is a `\uXXXX` escape)...
    assert_terminal_safe(&out);
    assert!(out.contains(r"\u001b[2J\r\n- fake line \u202egnp.exe"));
    // ...and the document the true value.
    let v: Value = serde_json::from_str(&out).unwrap();
    let change = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == format!("scp.{H}"))
        .unwrap();
    assert_eq!(change["reason"], format!("no SCP named `{H}` in the organization"));
    assert_eq!(change["impact"]["accounts"][0]["name"], H);
    assert_eq!(change["after"]["Statement"][0]["Sid"], H);
    assert!(v["notes"].as_array().unwrap().contains(&json!(H)));
    assert_eq!(
        v["orphans"].as_array().unwrap().last().unwrap()["address"],
        format!("scp.{H}")
    );
    // And back: a saved plan is the plan.
    let back: Plan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
    assert_eq!(back, plan);
}

#[test]
fn the_apply_report_shows_hostile_names_and_errors_as_characters() {
    let report = hostile_report();
    let out = render::text::report(&report);
    assert_terminal_safe(&out);
    assert_shows_the_markup(&out);
    let out = render::json::report(&report);
    assert_terminal_safe(&out);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["outcomes"][0]["address"], format!("scp.{H}"));
    assert_eq!(
        v["outcomes"][1]["error"],
        format!("organizations.AttachPolicy: DuplicatePolicyAttachmentException: {H}")
    );
}

#[test]
fn the_markdown_report_shows_hostile_names_as_characters() {
    let md = render::report::markdown::report(&access_report());
    let (headings, shown) = read_markdown(&md);
    assert_shows_the_markup(&shown);
    assert!(headings[0].starts_with("Access report: organization"), "{headings:?}");
    let expected = [
        "Organization: OUs, accounts and the policies in force",
        "Effective management policies",
        "Trails",
        "Billing alarms",
        "Permission sets",
        "Access: who has which permission set where",
    ];
    assert_eq!(headings[1..], expected, "{md}");
}

#[test]
fn the_html_report_shows_hostile_names_as_characters() {
    let html = render::report::html::report(&access_report());
    assert_terminal_safe(&html.replace('\n', " "));
    // Every tag is the page's own: none from a value, no handler attribute.
    let own = [
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "code", "input", "nav", "a",
        "main", "section", "details", "summary", "b", "span", "ul", "li", "table", "thead", "tbody", "tr", "th", "td",
        "select", "option", "div", "script", "br", "pre", "!doctype",
    ];
    let (css, js) = (html.find("<style>").unwrap(), html.find("<script>").unwrap());
    let body = &html[html.find("</style>").unwrap()..js];
    assert!(css < js && html[js..].matches("</script>").count() == 1 && html.matches("<script").count() == 1);
    for tag in body.split('<').skip(1) {
        let (inside, _) = tag.split_once('>').unwrap_or_else(|| panic!("an unclosed tag: <{tag}"));
        let name = inside
            .trim_start_matches('/')
            .split([' ', '>'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        assert!(own.contains(&name.as_str()), "a tag from a value: <{inside}>");
        // Outside its quoted attribute values, a tag holds only the page's own words.
        let unquoted: String = inside.split('"').step_by(2).collect();
        assert!(
            !unquoted.contains("onerror") && !unquoted.contains('<'),
            "a handler from a value: <{inside}>"
        );
        // Attribute values are quoted and hold no quote of their own.
        assert_eq!(inside.matches('"').count() % 2, 0, "<{inside}>");
    }
    assert!(html.contains("&lt;h3&gt;plinth plan: no changes&lt;/h3&gt;&lt;img src=x onerror=document.title=1&gt;"));
    assert!(html.contains("&lt;script&gt;document.title=2&lt;/script&gt;"));
}

#[test]
fn the_html_report_in_a_browser_holds_no_element_from_a_value_and_filters_by_it() {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.html");
    std::fs::write(&file, render::report::html::report(&access_report())).unwrap();
    // The filter a link carries: the hostile group, as the page shows it.
    let group = format!("group:{}", render::escape::text(H));
    let url = format!(
        "file://{}#principal={}",
        file.display(),
        utf8_percent_encode(&group, NON_ALPHANUMERIC)
    );
    let profile = tempfile::tempdir().unwrap();
    let page = crate::report::dom(profile.path(), &url);
    assert!(
        page.contains("1 of 2 rows"),
        "the script ran and the filter matched the hostile group"
    );
    assert!(page.contains("<title>Access report: o-example</title>"));
    assert_eq!(page.matches("<script").count(), 1, "the page's own script only");
    for element in ["<h3", "<img", "<script>document"] {
        assert!(!page.contains(element), "{element} from a value in the DOM");
    }
}

#[test]
fn the_json_report_carries_the_true_values() {
    let report = access_report();
    let out = render::report::json(&report);
    assert_terminal_safe(&out);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["trails"][0]["name"], H);
    assert_eq!(
        v["notes"].as_array().unwrap().last().unwrap(),
        &json!(format!("`{H}` {OU}"))
    );
    let names: Vec<&str> = v["root"]["children"][0]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&H) && names.contains(&TRAIL), "{names:?}");
    let effective = &v["root"]["accounts"][0]["effective_policies"];
    assert_eq!(effective[0]["document"]["tags"][H]["tag_value"], json!([TRAIL, OU]));
    assert_eq!(effective[1]["document"], Value::Null);
}
