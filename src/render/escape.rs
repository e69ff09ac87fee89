//! Live values made safe for each output format.

/// For a terminal: control characters (ESC and the rest) shown as escapes.
pub fn text(s: &str) -> String {
    s.chars()
        .map(|c| match c.is_control() {
            true => c.escape_unicode().to_string(),
            false => c.to_string(),
        })
        .collect()
}

/// A Markdown inline code span that nothing inside can close: a fence longer than any
/// run of backticks in the value, control characters escaped, `|` escaped for tables.
pub fn code(s: &str) -> String {
    let s = text(s).replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}
