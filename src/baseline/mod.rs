//! Loading the baseline: the one TOML file that declares what the organization must look
//! like, into the model the kinds define ([`crate::kinds::Baseline`]).
//!
//! Loading parses with spans (`toml::Spanned`), checks each value while parsing (the
//! newtypes in [`crate::types`] and the kinds' sections), reads the policy files the
//! sections name, then runs every kind's cross-field checks. Every problem becomes a
//! [`Diagnostic`] that points at file:line:column.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics, SourceFile};
pub use crate::kinds::{Baseline, BaselineFile, PolicyFile};
pub use crate::types::*;

/// Read, parse and validate a baseline file. Makes no AWS call.
pub fn load(path: &Path) -> Result<Baseline, Diagnostics> {
    let text = crate::diag::read_text(path).map_err(|e| {
        Diagnostic::error(format!("cannot read baseline `{}`", path.display()))
            .cause(e.to_string())
            .hint("pass the baseline with `-f FILE`; the default is `baseline.toml` in the current directory")
    })?;
    parse(SourceFile::new(path, text))
}

/// Parse and validate baseline text; policy files are read relative to the source's path.
pub fn parse(source: SourceFile) -> Result<Baseline, Diagnostics> {
    let file: BaselineFile = toml::from_str(&source.text).map_err(|e| toml_diagnostic(&source, &e))?;
    let policy_files = crate::kinds::read_policy_files(&source, &file)?;
    let baseline = Baseline {
        source,
        file,
        policy_files,
    };
    crate::kinds::validate(&baseline)?;
    Ok(baseline)
}

fn toml_diagnostic(source: &SourceFile, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim_end();
    let (message, hint) = match message.split_once("\nhint: ") {
        Some((m, h)) => (m, Some(h)),
        None => (message, None),
    };
    let mut d = Diagnostic::error(message.trim_end_matches('.').to_owned());
    if let Some(span) = e.span() {
        d = d.at(source, narrow_to_literal(source, span, message));
    }
    if let Some(h) = hint {
        d = d.hint(h);
    } else if message.starts_with("unknown field") || message.starts_with("missing field") {
        d = d.hint("see the baseline reference in README.md for the keys each section takes");
    }
    d
}

/// toml reports a bad element of an array at the whole array; point at the element the
/// message names (its first backticked literal) when the array contains it.
fn narrow_to_literal(source: &SourceFile, span: std::ops::Range<usize>, message: &str) -> std::ops::Range<usize> {
    let text = &source.text[span.clone()];
    if !text.starts_with('[') {
        return span;
    }
    let Some(literal) = message.split('`').nth(1) else {
        return span;
    };
    // The string that is the literal, quotes included; else the one that contains it
    // (`"ou:/Prod/"` for `/Prod/`).
    if let Some(at) = text.find(&format!("\"{literal}\"")) {
        return span.start + at..span.start + at + literal.len() + 2;
    }
    let Some(at) = text.find(literal) else {
        return span;
    };
    let start = text[..at].rfind('"').unwrap_or(at);
    let end = text[at + literal.len()..]
        .find('"')
        .map_or(at + literal.len(), |e| at + literal.len() + e + 1);
    span.start + start..span.start + end
}
