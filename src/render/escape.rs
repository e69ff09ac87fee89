//! Live values escaped for each output format: the one place where a string plinth read
//! from AWS is made safe to show.
//!
//! Whoever can name an account, OU, policy, permission set, group or user, write a
//! description or a tag, or cause an AWS error message writes part of what reviewers
//! read: a pull-request comment, a terminal, an access report. Every renderer passes each
//! such value (and each planner string that may carry one: reasons, impact, notes,
//! warnings) through the function here for its format, so a value is shown as the
//! characters it holds and never acts as markup or as a terminal control sequence.
//!
//! - [`text`]: a terminal. Control characters, bidirectional formatting characters and
//!   line separators are shown as escapes (`\u{1b}`, `\n`), so a value cannot clear the
//!   screen, draw fake lines or reorder what is shown.
//! - [`markdown`]: GitHub-flavoured Markdown. A value is put in a code span whose fence
//!   no backtick run inside it can close; text outside code spans is escaped so nothing
//!   in it is read as HTML, a link, emphasis or a block.
//! - [`html`]: the access report's page: entities in text and quoted attributes.
//! - [`json`]: `serde_json` escapes C0 controls already; the other hidden characters are
//!   written as `\uXXXX` escapes too, so JSON printed to a terminal is as safe as text
//!   while a parser still reads the true value.

use std::fmt::Write as _;

pub use crate::diag::{is_hidden, printable as text, push_visible};

/// A value for the access report's HTML page, in text and in quoted attributes (`"` and
/// `'` both): hidden characters shown as in [`text`], then `&`, `<`, `>`, `"`, `'` as
/// entities. Nothing in a value can end an element, an attribute or the page's script.
pub fn html(s: &str) -> String {
    let shown = text(s);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A JSON document from `serde_json` with every [hidden](is_hidden) character it leaves
/// as it is (DEL, C1 controls, bidirectional formatting characters, line separators)
/// written as a `\uXXXX` escape. Those can only stand inside strings (JSON's own syntax
/// is ASCII), where the escape means the same character: parsed, the document holds the
/// true value. C0 controls are left: inside strings `serde_json` escaped them, and
/// outside they are the document's own line breaks.
pub fn json(doc: String) -> String {
    let raw = |c: char| is_hidden(c) && u32::from(c) >= 0x20;
    if !doc.chars().any(raw) {
        return doc;
    }
    let mut out = String::with_capacity(doc.len() + 16);
    for c in doc.chars() {
        if raw(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// GitHub-flavoured Markdown, as pull-request comments and the access report use it.
///
/// A live value goes in a code span ([`code`], or [`code_cell`] in a table): inside one,
/// CommonMark interprets nothing (no HTML, link, emphasis or entity), and GitHub adds no
/// mention, issue reference or autolink. Only text outside code spans needs escaping
/// ([`text`]), and that cannot stop all of GitHub's additions (an e-mail address still
/// becomes a `mailto:` link, `@name` a mention), which is why values go in code spans.
///
/// Planner strings (reasons, impact, notes, warnings) mark the names they quote with
/// single backticks, and a quoted live name may itself hold backticks. [`prose`] renders
/// such a string safely whatever it holds: it cuts the string at every backtick, writes
/// each quoted part with [`code`] and each other part with [`text`]. A plain string
/// renders byte for byte as before; a string whose quoted name holds a backtick is cut
/// in other places than the planner meant, but every piece is still a code span or
/// escaped text, so what the name holds shows as characters and nothing else.
pub mod markdown {
    use super::{is_hidden, push_visible};

    /// A value as an inline code span: hidden characters shown as escapes first (a code
    /// span cannot hold a line break), a fence of one backtick more than the longest run
    /// inside, and a space inside each end when the value starts or ends with a backtick
    /// or with spaces at both ends (CommonMark strips one space from each end).
    pub fn code(s: &str) -> String {
        span(s, false)
    }

    /// [`code`] for a GFM table cell: `|` written `\|`, since GFM cuts a row into cells
    /// at every unescaped `|`, inside code spans too (the cell shows `|`).
    pub fn code_cell(s: &str) -> String {
        span(s, true)
    }

    fn span(s: &str, cell: bool) -> String {
        let mut body = super::text(s).into_owned();
        if cell {
            body = body.replace('|', "\\|");
        }
        if body.is_empty() {
            return "` `".to_owned();
        }
        let fence = "`".repeat(longest_run(&body, '`') + 1);
        let pad = body.starts_with('`')
            || body.ends_with('`')
            || (body.starts_with(' ') && body.ends_with(' ') && !body.trim_start_matches(' ').is_empty());
        let pad = if pad { " " } else { "" };
        format!("{fence}{pad}{body}{pad}{fence}")
    }

    /// The longest run of `c` in `s`.
    fn longest_run(s: &str, c: char) -> usize {
        let (mut longest, mut run) = (0, 0);
        for x in s.chars() {
            run = if x == c { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        longest
    }

    /// A value as text outside a code span (also safe in a table cell and inside an HTML
    /// block such as `<summary>`): hidden characters shown as escapes; `&`, `<`, `>` as
    /// entities (no HTML, no `<…>` autolink); `\`, `` ` ``, `*`, `_`, `[`, `]`, `~`, `|`,
    /// `$` backslash-escaped (no code span, emphasis, link, strikethrough, cell break or
    /// math); the `:` of `://` and the `.` of `www.` escaped (no GFM autolink); and a
    /// leading `#`, `-`, `+`, `=` or list number escaped, so a value at the start of a
    /// line cannot open a heading, a list or a quote.
    pub fn text(s: &str) -> String {
        escape_text(s, true)
    }

    fn escape_text(s: &str, at_start: bool) -> String {
        let mut out = String::with_capacity(s.len());
        let chars: Vec<char> = s.chars().collect();
        // A list number: digits then `.` or `)` at the start.
        let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
        let numbered = at_start && digits > 0 && matches!(chars.get(digits), Some('.' | ')'));
        for (i, &c) in chars.iter().enumerate() {
            match c {
                c if is_hidden(c) => push_visible(&mut out, c),
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '|' | '$' => {
                    out.push('\\');
                    out.push(c);
                }
                '#' | '-' | '+' | '=' if at_start && i == 0 => {
                    out.push('\\');
                    out.push(c);
                }
                '.' | ')' if numbered && i == digits => {
                    out.push('\\');
                    out.push(c);
                }
                ':' if chars.get(i + 1..i + 3) == Some(&['/', '/'][..]) => out.push_str("\\:"),
                '.' if i >= 3 && chars[i - 3..i].iter().collect::<String>().eq_ignore_ascii_case("www") => {
                    out.push_str("\\.");
                }
                c => out.push(c),
            }
        }
        out
    }

    /// A planner string (a reason, an impact sentence's part, a note, a warning) whose
    /// single backticks quote names: each quoted part a [`code`] span, the rest
    /// [`text`]; an unmatched backtick is text. See the module's documentation for why
    /// this holds whatever the quoted names contain.
    pub fn prose(s: &str) -> String {
        let parts: Vec<&str> = s.split('`').collect();
        let mut out = String::with_capacity(s.len());
        for (i, part) in parts.iter().enumerate() {
            if i % 2 == 0 {
                if !part.is_empty() {
                    out.push_str(&escape_text(part, i == 0));
                }
            } else if i + 1 < parts.len() {
                out.push_str(&code(part));
            } else {
                // The last backtick opens nothing.
                out.push_str("\\`");
                out.push_str(&escape_text(part, false));
            }
        }
        out
    }

    /// The fence of a fenced code block holding `body`: three backticks, or one more than
    /// the longest run inside, so no line of the body can close it.
    pub fn fence(body: &str) -> String {
        "`".repeat((longest_run(body, '`') + 1).max(3))
    }
}

#[cfg(test)]
mod tests {
    use super::markdown::{code, code_cell, fence, prose};
    use super::*;

    #[test]
    fn text_shows_what_a_terminal_would_act_on() {
        assert!(matches!(
            text("Workloads/Prod"),
            std::borrow::Cow::Borrowed("Workloads/Prod")
        ));
        assert_eq!(text("a\u{1b}[2Jb\r\nc\td"), "a\\u{1b}[2Jb\\r\\nc\\td");
        assert_eq!(text("x\u{7f}\u{9b}y"), "x\\u{7f}\\u{9b}y");
        assert_eq!(
            text("evil\u{202e}txt.exe\u{2066}\u{2069}"),
            "evil\\u{202e}txt.exe\\u{2066}\\u{2069}"
        );
        assert_eq!(text("é ü 日本"), "é ü 日本");
    }

    #[test]
    fn html_entities_in_text_and_quoted_attributes() {
        assert_eq!(
            html("<a href=\"x\" title='y'>&amp;</a>\u{1b}"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;\\u{1b}"
        );
        assert_eq!(html("</script>"), "&lt;/script&gt;");
    }

    #[test]
    fn json_escapes_what_serde_leaves_and_keeps_the_value() {
        let value = "a\u{1b}b\u{9b}c\u{202e}d\u{2028}e\u{7f}";
        let doc = json(serde_json::to_string_pretty(&[value]).unwrap());
        assert_eq!(doc, "[\n  \"a\\u001bb\\u009bc\\u202ed\\u2028e\\u007f\"\n]");
        assert_eq!(serde_json::from_str::<Vec<String>>(&doc).unwrap(), [value]);
    }

    #[test]
    fn code_spans_no_backtick_run_can_close() {
        assert_eq!(code("Workloads/Prod"), "`Workloads/Prod`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("a``b```c"), "````a``b```c````");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("x`"), "`` x` ``");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("  "), "`  `");
        assert_eq!(code(""), "` `");
        assert_eq!(code("a\nb\u{1b}"), "`a\\nb\\u{1b}`");
        assert_eq!(code("a|b"), "`a|b`");
        assert_eq!(code_cell("a|b"), "`a\\|b`");
    }

    #[test]
    fn markdown_text_escapes_markup_and_autolinks() {
        use super::markdown::text as md;
        assert_eq!(md("dev-1 (111111111111)"), "dev-1 (111111111111)");
        assert_eq!(md("<h3>x</h3> &amp;"), "&lt;h3&gt;x&lt;/h3&gt; &amp;amp;");
        assert_eq!(md("[l](http://x)"), "\\[l\\](http\\://x)");
        assert_eq!(
            md("*a* _b_ ~c~ `d` |e| $f$ \\"),
            "\\*a\\* \\_b\\_ \\~c\\~ \\`d\\` \\|e\\| \\$f\\$ \\\\"
        );
        assert_eq!(md("see www.x.com"), "see www\\.x.com");
        assert_eq!(md("# h"), "\\# h");
        assert_eq!(md("- item"), "\\- item");
        assert_eq!(md("12. item"), "12\\. item");
        assert_eq!(md("4 accounts"), "4 accounts");
        assert_eq!(md("a\nb"), "a\\nb");
    }

    #[test]
    fn prose_keeps_quoted_names_as_code_and_escapes_the_rest() {
        let plain = "SCP `plinth-region-deny` (p-region) exists without the `managed-by=plinth` tag";
        assert_eq!(prose(plain), plain);
        assert_eq!(
            prose("no account `x` <h3>plinth plan: no changes</h3>` in the organization"),
            "no account `x` &lt;h3&gt;plinth plan: no changes&lt;/h3&gt;\\` in the organization"
        );
        assert_eq!(prose("`a` and `b`"), "`a` and `b`");
        assert_eq!(prose("gains ``"), "gains ` `");
        assert_eq!(prose("- `x`"), "\\- `x`");
    }

    #[test]
    fn fences_outlast_backtick_runs() {
        assert_eq!(fence("{\n  \"a\": 1\n}"), "```");
        assert_eq!(fence("\"```\""), "````");
    }
}
