//! `plinth validate`: the baseline read and checked, and what it describes.

use std::fmt::Write as _;
use std::process::ExitCode;

use plinth::baseline;

use super::{Error, emit};
use crate::cli;

pub fn run(global: &cli::GlobalArgs) -> Result<ExitCode, Error> {
    let baseline = baseline::load(&global.baseline)?;
    let description = plinth::kinds::describe(&baseline);
    let mut out = String::new();
    for w in &description.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    let _ = writeln!(out, "Baseline `{}` is valid.", baseline.source.path.display());
    let _ = writeln!(
        out,
        "Management account {}, home region {}.",
        baseline.management_account_id(),
        baseline.home_region(),
    );
    out.push_str(&description.text);
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
