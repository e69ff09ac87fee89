//! `plinth schema`: the baseline's JSON Schema.

use std::process::ExitCode;

use super::{Error, emit};

pub fn run() -> Result<ExitCode, Error> {
    let schema = serde_json::to_string_pretty(&plinth::kinds::schema()).unwrap_or_default();
    emit(&format!("{schema}\n"))?;
    Ok(ExitCode::SUCCESS)
}
