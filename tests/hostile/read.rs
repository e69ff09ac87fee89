//! Reading what a renderer wrote as its reader would: a terminal, and a CommonMark + GFM
//! renderer (`pulldown-cmark`).

use pulldown_cmark::{Event, Options, Parser, Tag};

/// A hostile value's control characters reached the output, or a value drew a line of
/// its own.
pub fn assert_terminal_safe(out: &str) {
    for line in out.split('\n') {
        for c in line.chars() {
            let bad = u32::from(c) < 0x20
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}');
            assert!(!bad, "{c:?} reached the output: {line}");
        }
        let start = line.trim_start();
        assert!(
            !start.starts_with("- fake") && !start.starts_with("fake"),
            "a value drew a line of its own: {line}"
        );
    }
}

/// What the page's own markup may be: every other tag or HTML block came from a value.
pub const OWN_HTML: [&str; 9] = [
    "<!-- plinth-plan -->",
    "<details>",
    "</details>",
    "<summary>",
    "</summary>",
    "<b>",
    "</b>",
    "<code>",
    "</code>",
];

/// Read Markdown as GitHub would (CommonMark, GFM tables and strikethrough, math,
/// footnotes, task lists): no HTML but the renderer's own, no link or image, no
/// emphasis, strikethrough, math or footnote, no autolink (`://` or `www.` in text as
/// written), every table row as wide as its header. Returns the headings and the text a
/// reader sees (text and code spans, entities decoded).
pub fn read_markdown(md: &str) -> (Vec<String>, String) {
    assert_terminal_safe(md);
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_MATH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    let (mut headings, mut shown) = (Vec::new(), String::new());
    let (mut heading, mut cells, mut width, mut in_block) = (None::<String>, 0, None, false);
    for (event, at) in Parser::new_ext(md, options).into_offset_iter() {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => {
                let rest = OWN_HTML.iter().fold(h.to_string(), |s, own| s.replace(own, ""));
                assert!(!rest.contains('<') && !rest.contains('>'), "HTML from a value: {h:?}");
            }
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => panic!("a link: {}", &md[at]),
            Event::Start(Tag::Emphasis | Tag::Strikethrough | Tag::FootnoteDefinition(_)) => {
                panic!("markup from a value: {}", &md[at])
            }
            Event::InlineMath(_) | Event::DisplayMath(_) | Event::FootnoteReference(_) | Event::TaskListMarker(_) => {
                panic!("markup from a value: {}", &md[at])
            }
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(pulldown_cmark::TagEnd::Heading(_)) => headings.extend(heading.take()),
            Event::Start(Tag::TableRow | Tag::TableHead) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::Start(Tag::Table(columns)) => width = Some(columns.len()),
            Event::End(pulldown_cmark::TagEnd::TableRow | pulldown_cmark::TagEnd::TableHead) => {
                assert_eq!(Some(cells), width, "a row's cells: {}", &md[at]);
            }
            Event::Start(Tag::CodeBlock(_)) => in_block = true,
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_block = false,
            Event::Text(t) | Event::Code(t) => {
                // Text as written (not a code span or block) must not read as a GFM
                // autolink: each `://` escaped (`\://`), no `www.` (`www\.`).
                let written = &md[at.start.saturating_sub(1)..at.end];
                if !in_block && !written.starts_with('`') && !written.ends_with('`') {
                    for (j, _) in written.match_indices("://") {
                        assert!(j > 0 && written.as_bytes()[j - 1] == b'\\', "an autolink: {written}");
                    }
                    assert!(!written.to_ascii_lowercase().contains("www."), "an autolink: {written}");
                }
                if let Some(h) = &mut heading {
                    h.push_str(&t);
                }
                shown.push_str(&t);
            }
            _ => {}
        }
    }
    (headings, shown)
}

/// The characters of a hostile value, as every format shows them when they are not
/// its own: the markup reaches the reader as text.
pub fn assert_shows_the_markup(shown: &str) {
    for needle in [
        "<h3>plinth plan: no changes</h3>",
        "<img src=x onerror=document.title=1>",
        "[link](http://x.example)",
        "\\u{1b}[2J\\r\\n- fake line \\u{202e}gnp.exe",
    ] {
        assert!(shown.contains(needle), "`{needle}` not shown:\n{shown}");
    }
}
