//! User-facing diagnostics: `error:` / `Caused by:` / `hint:` with a file:line:column
//! location and a caret under the offending text, readable without colour.

use std::borrow::Cow;
use std::fmt;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file plinth read, kept so diagnostics can point into it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset. An offset past the end
    /// or inside a character is moved back to a character boundary, never a panic.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.text.floor_char_boundary(offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..offset].chars().count() + 1;
        (line, col)
    }

    /// Byte offset of a 1-based line and byte column, as serde_json reports them; clamped
    /// to the line and to a character boundary.
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let mut offset = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let within = col.saturating_sub(1).min(l.trim_end_matches('\n').len());
                return self.text.floor_char_boundary(offset + within);
            }
            offset += l.len();
        }
        self.text.len()
    }

    /// `span` moved onto character boundaries and cut at the end of its first line.
    fn first_line_span(&self, span: &Range<usize>) -> Range<usize> {
        let start = self.text.floor_char_boundary(span.start.min(self.text.len()));
        let end = self.text.ceil_char_boundary(span.end.min(self.text.len()).max(start));
        let line_end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
        start..end.min(line_end).max(start)
    }
}

/// Read a text file as plinth reads every input: UTF-8, with a leading byte order mark
/// (which some editors write) dropped. Not UTF-8 is an error at the first bad byte.
pub fn read_text(path: &Path) -> Result<String, std::io::Error> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&e.as_bytes()[..at]);
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text: an invalid byte at line {line}, column {col}"),
        )
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// A place in a source file.
#[derive(Debug, Clone)]
pub struct Label {
    pub file: SourceFile,
    pub span: Range<usize>,
}

/// One problem to report to the user.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub message: String,
    /// Boxed: diagnostics travel in `Result`s and should stay small.
    pub label: Option<Box<Label>>,
    pub causes: Vec<String>,
    pub hint: Option<String>,
    /// Set when the error comes from what others can write (a tag anyone may set, a
    /// bucket name another account registered): the planner's whole kind is then left out
    /// of the plan as blocked, under this subject, instead of stopping the whole plan.
    pub blocks: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            label: None,
            causes: Vec::new(),
            hint: None,
            blocks: None,
        }
    }

    /// Mark it as one that blocks `subject` only ([`Diagnostic::blocks`]).
    pub fn blocking(mut self, subject: impl Into<String>) -> Self {
        self.blocks = Some(subject.into());
        self
    }

    pub fn at(mut self, file: &SourceFile, span: Range<usize>) -> Self {
        self.label = Some(Box::new(Label {
            file: file.clone(),
            span,
        }));
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn cause(mut self, cause: impl Into<String>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// One `Caused by:` line each, in order (an error and what its source chain adds:
    /// [`chain`], `AwsError::causes`).
    pub fn causes<S: Into<String>>(mut self, causes: impl IntoIterator<Item = S>) -> Self {
        self.causes.extend(causes.into_iter().map(Into::into));
        self
    }

    /// `path:line:col` of the label, if any.
    pub fn location(&self) -> Option<String> {
        self.label.as_ref().map(|l| {
            let (line, col) = l.file.line_col(l.span.start);
            format!("{}:{line}:{col}", display_path(&l.file.path))
        })
    }
}

fn display_path(p: &Path) -> String {
    p.display().to_string()
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
        match &self.label {
            None => writeln!(f, "error: {}", printable(&self.message))?,
            Some(label) => {
                let path = display_path(&label.file.path);
                let span = label.file.first_line_span(&label.span);
                let report = [Level::ERROR.primary_title(&self.message).element(
                    Snippet::source(&*label.file.text)
                        .line_start(1)
                        .path(&path)
                        .fold(true)
                        .annotation(AnnotationKind::Primary.span(span)),
                )];
                writeln!(f, "{}", Renderer::plain().render(&report))?;
            }
        }
        // Causes carry what AWS and the organization said (names, error messages): shown
        // as characters, never as terminal control sequences.
        for cause in &self.causes {
            writeln!(f, "  Caused by: {}", printable(cause))?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "hint: {}", printable(hint))?;
        }
        Ok(())
    }
}

/// Several diagnostics, reported together so the user can fix them in one pass.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// An error's words and its sources', outermost first, each once: a source whose words
/// an error above it already shows (`cannot read: {source}`) is left out. `Display` only,
/// never `Debug`, which for the SDK's errors holds whole responses.
pub fn chain(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !texts.iter().any(|t| t.contains(text.as_str())) {
            texts.push(text);
        }
        next = e.source();
    }
    texts
}

/// A character that must not reach a reader as it is: C0 controls (ESC among them), DEL
/// and C1 controls, which a terminal acts on; the bidirectional formatting characters
/// (marks, embeddings, overrides, isolates), which reorder what is shown around them;
/// and the Unicode line and paragraph separators, which some viewers break lines at.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// A hidden character as it is shown: `\n`, `\r`, `\t`, or `\u{1b}`.
pub fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// A value for a terminal (and an error, a log line), on one line: every [hidden](is_hidden) character shown as an
/// escape, the rest as it is. A plain value comes back borrowed, unchanged.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let f = SourceFile::new("b.toml", "a = 1\nbé = \"x\"\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(6), (2, 1));
        // `=` after the two-byte `é`.
        assert_eq!(f.line_col(10), (2, 4));
        // serde_json counts columns in bytes: column 5 is the `=` after `bé `.
        assert_eq!(f.offset_of(2, 5), 10);
        // Inside a character, past the line, past the file: clamped, never a panic.
        assert_eq!(f.line_col(8), (2, 2));
        assert_eq!(f.offset_of(2, 99), 15);
        assert_eq!(f.offset_of(9, 1), f.text.len());
    }

    #[test]
    fn spans_inside_characters_or_past_the_end_render_without_panicking() {
        let f = SourceFile::new("p.json", "{\"Effect\": “Allow”}\nnext line\n");
        #[allow(clippy::reversed_empty_ranges)]
        let spans = [12..13, 13..14, 0..200, 40..41, 14..12];
        for span in spans {
            let text = Diagnostic::error("bad").at(&f, span.clone()).to_string();
            assert!(text.contains("--> p.json:"), "{span:?}: {text}");
        }
    }

    #[derive(Debug)]
    struct Wrapped(&'static str, Option<Box<Wrapped>>);

    impl fmt::Display for Wrapped {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Wrapped {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|w| w as &(dyn std::error::Error + 'static))
        }
    }

    #[test]
    fn an_error_chain_is_each_errors_words_once_outermost_first() {
        let inner = Wrapped("profile `ci` was not defined", None);
        let repeated = Wrapped(
            "cannot load the profile: profile `ci` was not defined",
            Some(Box::new(inner)),
        );
        let outer = Wrapped("an error occurred while loading credentials", Some(Box::new(repeated)));
        assert_eq!(
            chain(&outer),
            [
                "an error occurred while loading credentials",
                "cannot load the profile: profile `ci` was not defined",
            ]
        );
        assert_eq!(chain(&Wrapped("alone", None)), ["alone"]);
    }

    #[test]
    fn causes_and_hints_from_aws_show_hidden_characters_as_escapes() {
        let d = Diagnostic::error("cannot attach `p`")
            .cause("AWS said: no account `\u{1b}[2Jx\u{202e}y`\nfake line")
            .hint("a\tb");
        let shown = d.to_string();
        assert!(
            shown.contains(r"no account `\u{1b}[2Jx\u{202e}y`\nfake line"),
            "{shown}"
        );
        assert!(shown.contains(r"hint: a\tb"), "{shown}");
        assert!(!shown.chars().any(|c| c != '\n' && is_hidden(c)), "{shown:?}");
    }

    #[test]
    fn renders_location_caret_cause_and_hint() {
        let f = SourceFile::new("baseline.toml", "[scp]\nregion = \"us-east-9\"\n");
        let d = Diagnostic::error("unknown region `us-east-9`")
            .at(&f, 15..26)
            .cause("not an AWS region plinth knows")
            .hint("did you mean `us-east-1`?");
        let text = d.to_string();
        assert_eq!(
            text,
            "error: unknown region `us-east-9`\n --> baseline.toml:2:10\n  |\n2 | region = \"us-east-9\"\n  |          ^^^^^^^^^^^\n  Caused by: not an AWS region plinth knows\nhint: did you mean `us-east-1`?\n"
        );
        assert_eq!(d.location().unwrap(), "baseline.toml:2:10");
    }
}
