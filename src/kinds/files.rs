//! The policy files a baseline's sections name: read relative to the baseline and parsed
//! (and checked) as the kind of policy each section says, before any AWS call.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::{BaselineFile, PolicyFile};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::policy::PolicyKind;

/// Every policy file the sections name, by the path as written. A file named twice for
/// the same use is read once; named for two uses (an SCP and an inline policy), it is
/// checked as each.
pub fn read_policy_files(
    source: &SourceFile,
    file: &BaselineFile,
) -> Result<BTreeMap<PathBuf, PolicyFile>, Diagnostics> {
    let base_dir = source.path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut diags = Diagnostics::default();
    let roots = roots(source, &base_dir, file, &mut diags);
    let mut out = BTreeMap::new();
    let mut checked: Vec<(&PathBuf, PolicyKind)> = Vec::new();
    for (path, kind) in super::policy_files(file) {
        if checked.contains(&(path.get_ref(), kind)) {
            continue;
        }
        checked.push((path.get_ref(), kind));
        match read_policy_file(source, &base_dir, &roots, path, kind) {
            Ok(doc) => {
                out.insert(path.get_ref().clone(), doc);
            }
            Err(d) => diags.push(d),
        }
    }
    diags.into_result(out)
}

/// The directories policy files may be in, resolved (links followed): the baseline's
/// own and those `[organization] policy_roots` names.
fn roots(source: &SourceFile, base_dir: &Path, file: &BaselineFile, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let dir = if base_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base_dir
    };
    let mut out: Vec<PathBuf> = std::fs::canonicalize(dir).into_iter().collect();
    // A root stays inside the repository that holds the baseline (the nearest directory
    // above it with `.git`), or inside the baseline's directory when there is none: the
    // person who writes `policy_roots` writes `file` too, so a root outside would let a
    // pull request read any file of the machine plinth runs on.
    let fence = out.first().map(|d| repository_of(d).unwrap_or_else(|| d.clone()));
    for root in &file.organization.policy_roots {
        if root.get_ref().is_absolute() {
            diags.push(
                Diagnostic::error(format!(
                    "policy root `{}` is an absolute path",
                    root.get_ref().display()
                ))
                .at(source, root.span())
                .hint("write it relative to the baseline file's directory, as the repository holds it"),
            );
            continue;
        }
        match std::fs::canonicalize(dir.join(root.get_ref())) {
            Ok(p) if fence.as_ref().is_none_or(|f| !p.starts_with(f)) => diags.push(
                Diagnostic::error(format!(
                    "policy root `{}` is outside the repository that holds the baseline",
                    root.get_ref().display()
                ))
                .at(source, root.span())
                .cause(format!(
                    "it resolves to `{}`; policy roots must be inside `{}`",
                    p.display(),
                    fence.as_ref().map_or_else(String::new, |f| f.display().to_string())
                ))
                .hint("keep shared policy files in the baseline's repository"),
            ),
            Ok(p) if p.is_dir() => out.push(p),
            Ok(p) => diags.push(
                Diagnostic::error(format!("policy root `{}` is not a directory", root.get_ref().display()))
                    .at(source, root.span())
                    .cause(format!("it resolves to `{}`", p.display())),
            ),
            Err(e) => diags.push(
                Diagnostic::error(format!("cannot find policy root `{}`", root.get_ref().display()))
                    .at(source, root.span())
                    .cause(e.to_string())
                    .hint("policy roots are relative to the baseline file's directory"),
            ),
        }
    }
    out
}

/// The nearest directory at or above `dir` that holds a `.git` (a repository's top).
fn repository_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf)
}

fn read_policy_file(
    baseline: &SourceFile,
    base_dir: &Path,
    roots: &[PathBuf],
    file: &Spanned<PathBuf>,
    kind: PolicyKind,
) -> Result<PolicyFile, Diagnostic> {
    let path = base_dir.join(file.get_ref());
    // Inside the baseline's directory or a root it names, after `..` and links: a
    // baseline cannot make plinth read (and show) any file of the machine it runs on.
    if let Ok(resolved) = std::fs::canonicalize(&path)
        && !roots.iter().any(|r| resolved.starts_with(r))
    {
        return Err(Diagnostic::error(format!(
            "policy file `{}` is outside the baseline's directory",
            file.get_ref().display()
        ))
        .at(baseline, file.span())
        .cause(format!("it resolves to `{}`", resolved.display()))
        .hint(
            "keep policy files beside the baseline, or name their directory in `[organization]` as `policy_roots = [\"../policies\"]`",
        ));
    }
    let text = crate::diag::read_text(&path).map_err(|e| {
        Diagnostic::error(format!("cannot read policy file `{}`", path.display()))
            .at(baseline, file.span())
            .cause(e.to_string())
            .hint("policy files are relative to the baseline file's directory")
    })?;
    let source = SourceFile::new(path, text);
    let document = crate::policy::parse_document(&source, kind)?;
    Ok(PolicyFile { source, document })
}
