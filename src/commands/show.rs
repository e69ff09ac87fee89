//! `plinth show PLAN_FILE`: a saved plan, rendered again.

use std::process::ExitCode;

use plinth::saved::SavedPlan;

use super::{Error, emit, render_plan};
use crate::cli;

pub fn run(args: &cli::ShowArgs) -> Result<ExitCode, Error> {
    let saved = SavedPlan::load(&args.plan_file)?;
    emit(&render_plan(&saved.plan, args.format, &args.comment)?)?;
    Ok(ExitCode::SUCCESS)
}
