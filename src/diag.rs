//! User-facing diagnostics: `error:` / `Caused by:` / `hint:` with a file:line:column
//! location and a caret under the offending text, readable without colour.

use std::fmt::{self, Write as _};
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

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..offset].chars().count() + 1;
        (line, col)
    }

    /// Byte offset of a 1-based line and column (as serde_json reports them).
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let mut offset = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let col_bytes: usize = l.chars().take(col.saturating_sub(1)).map(char::len_utf8).sum();
                return offset + col_bytes;
            }
            offset += l.len();
        }
        self.text.len()
    }
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
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            label: None,
            causes: Vec::new(),
            hint: None,
        }
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
        writeln!(f, "error: {}", self.message)?;
        if let Some(label) = &self.label {
            let (line, col) = label.file.line_col(label.span.start);
            let text = label.file.text.lines().nth(line - 1).unwrap_or("");
            let gutter = line.to_string().len();
            writeln!(f, "{:gutter$} --> {}:{line}:{col}", "", display_path(&label.file.path))?;
            writeln!(f, "{:gutter$} |", "")?;
            writeln!(f, "{line} | {text}")?;
            // Underline the span, clipped to the first line it covers.
            let line_chars = text.chars().count();
            let span_chars = label.file.text[label.span.start..label.span.end.min(label.file.text.len())]
                .lines()
                .next()
                .map_or(1, |s| s.chars().count())
                .max(1);
            let width = span_chars.min(line_chars.saturating_sub(col - 1).max(1));
            let mut underline = String::new();
            let _ = write!(underline, "{:pad$}{}", "", "^".repeat(width), pad = col - 1);
            writeln!(f, "{:gutter$} | {underline}", "")?;
        }
        for cause in &self.causes {
            writeln!(f, "  Caused by: {cause}")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "hint: {hint}")?;
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
        assert_eq!(f.offset_of(2, 4), 10);
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
            "error: unknown region `us-east-9`\n  --> baseline.toml:2:10\n  |\n2 | region = \"us-east-9\"\n  |          ^^^^^^^^^^^\n  Caused by: not an AWS region plinth knows\nhint: did you mean `us-east-1`?\n"
        );
        assert_eq!(d.location().unwrap(), "baseline.toml:2:10");
    }
}
