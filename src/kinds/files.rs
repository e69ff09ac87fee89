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
    let mut out = BTreeMap::new();
    let mut checked: Vec<(&PathBuf, PolicyKind)> = Vec::new();
    for (path, kind) in super::policy_files(file) {
        if checked.contains(&(path.get_ref(), kind)) {
            continue;
        }
        checked.push((path.get_ref(), kind));
        match read_policy_file(source, &base_dir, path, kind) {
            Ok(doc) => {
                out.insert(path.get_ref().clone(), doc);
            }
            Err(d) => diags.push(d),
        }
    }
    diags.into_result(out)
}

fn read_policy_file(
    baseline: &SourceFile,
    base_dir: &Path,
    file: &Spanned<PathBuf>,
    kind: PolicyKind,
) -> Result<PolicyFile, Diagnostic> {
    let path = base_dir.join(file.get_ref());
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
