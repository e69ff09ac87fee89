//! `plinth import`: read the live organization whole and write a baseline that describes
//! it, with its policy files, for people to review and then adopt with `plinth apply`
//! (which, for what matches, only adds plinth's tags).
//!
//! Each kind writes its own part (`Kind::import`, next to its planner); this module reads
//! the organization once, assembles the file in registry order, writes it, and loads it
//! back with the baseline loader, so a file that would not load is never left as if it
//! were good. The same organization gives the same bytes: no timestamps, stable order.

use std::path::{Path, PathBuf};

use crate::aws::organizations::ReadScope;
use crate::baseline;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::Session;
use crate::kinds::{self, ImportCx, Imported};
use crate::types::Region;

/// What to import, and where to.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub dir: PathBuf,
    /// Kind names; empty for every kind.
    pub only: Vec<crate::kinds::KindId>,
    pub include_others: bool,
    pub home_region: Region,
}

/// What an import wrote.
#[derive(Debug)]
pub struct ImportReport {
    pub baseline: PathBuf,
    pub files: Vec<PathBuf>,
    /// What was left out, and why (also in the file, as comments).
    pub skipped: Vec<String>,
    pub warnings: Vec<String>,
}

pub async fn import(session: &Session, options: &ImportOptions) -> Result<ImportReport, Diagnostics> {
    let clients = session.clients();
    let summary = management(session, "plinth import").await?;
    tracing::info!(organization = %summary.id, "reading the whole organization");
    let scope = ReadScope {
        everything: true,
        ..ReadScope::default()
    };
    let org = clients
        .organizations
        .read(&summary, &scope)
        .await
        .map_err(|e| clients.failure("cannot read the organization", e))?;
    let cx = ImportCx {
        clients,
        org: &org,
        home_region: &options.home_region,
        include_others: options.include_others,
    };
    let parts = kinds::import(&cx, &options.only).await?;
    let text = assemble(
        &summary.id,
        &summary.management_account_id,
        &options.home_region,
        &parts,
    );
    write(options, &text, &parts)
}

/// The organization, when the credentials are its management account's: what reads the
/// organization whole (`command`) needs.
pub async fn management(
    session: &Session,
    command: &str,
) -> Result<crate::aws::organizations::OrgSummary, Diagnostics> {
    let clients = session.clients();
    let identity = session
        .sts()
        .caller_identity()
        .await
        .map_err(|e| clients.failure("cannot find out who the credentials belong to", e))?;
    let summary = clients
        .organizations
        .describe_organization()
        .await
        .map_err(|e| clients.failure("cannot describe the organization", e))?
        .ok_or_else(|| {
            Diagnostic::error("these credentials' account is in no organization").hint("`plinth bootstrap` creates one")
        })?;
    if identity.account != summary.management_account_id {
        return Err(Diagnostic::error(format!(
            "account {} is not the management account of organization {} ({})",
            identity.account, summary.id, summary.management_account_id
        ))
        .hint(format!("run `{command}` with the management account's credentials"))
        .into());
    }
    Ok(summary)
}

/// The baseline file: a header, `[organization]`, each kind's part, then what was left out.
fn assemble(organization: &str, management: &str, home_region: &Region, parts: &[(&str, Imported)]) -> String {
    let mut out = format!(
        "# Imported by `plinth import` from organization {organization}.\n\
         # Review it, then `plinth plan`: what exists without plinth's `managed-by=plinth` tag shows\n\
         # as `adopt` (applying it adds the tag and nothing else).\n\
         \n[organization]\nmanagement_account_id = \"{management}\"\n"
    );
    if home_region.as_str() != "us-east-1" {
        out.push_str(&format!("home_region = \"{home_region}\"\n"));
    }
    for (_, part) in parts {
        out.push_str(&part.toml.0);
    }
    let skipped: Vec<&String> = parts.iter().flat_map(|(_, p)| &p.skipped).collect();
    if !skipped.is_empty() {
        out.push_str("\n# Left out:\n");
        for s in skipped {
            out.push_str(&format!("# - {s}\n"));
        }
    }
    out
}

fn write(options: &ImportOptions, text: &str, parts: &[(&str, Imported)]) -> Result<ImportReport, Diagnostics> {
    let io = |what: &Path, e: std::io::Error| {
        Diagnostic::error(format!("cannot write `{}`", what.display())).cause(e.to_string())
    };
    std::fs::create_dir_all(&options.dir).map_err(|e| io(&options.dir, e))?;
    let mut files = Vec::new();
    for (_, part) in parts {
        for (relative, content) in &part.files {
            let path = options.dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::write(&path, content).map_err(|e| io(&path, e))?;
            files.push(path);
        }
    }
    let path = options.dir.join("baseline.toml");
    std::fs::write(&path, text).map_err(|e| io(&path, e))?;
    // What import writes must load: check it the way every command will.
    if let Err(mut diags) = baseline::load(&path) {
        diags.0.push(
            Diagnostic::error("`plinth import` wrote a baseline that does not load")
                .hint("this is a bug in plinth; the file is kept for the report"),
        );
        return Err(diags);
    }
    Ok(ImportReport {
        baseline: path,
        files,
        skipped: parts.iter().flat_map(|(_, p)| p.skipped.clone()).collect(),
        warnings: parts.iter().flat_map(|(_, p)| p.warnings.clone()).collect(),
    })
}
