//! `plinth force-unlock`: show who holds the apply lock, ask, and free it.

use std::process::ExitCode;

use plinth::diag::Diagnostic;
use plinth::engine::Session;

use super::{Error, confirm_with, connect_options, emit};
use crate::cli;

/// Show who holds the lock, ask, and free it.
pub async fn run(global: &cli::GlobalArgs, args: &cli::ForceUnlockArgs) -> Result<ExitCode, Error> {
    let session = Session::connect(&connect_options(global, None)).await;
    let Some(held) = plinth::lock::inspect(session.dynamo(), &args.lock_id).await? else {
        return Err(Diagnostic::error(format!("there is no lock `{}`", args.lock_id))
            .hint("the lock id is the one an apply that waited names, as `plinth/<organization id>`")
            .into());
    };
    emit(&format!(
        "The lock `{}` is {}.\nFree it only if that run is certainly gone: two applies at once can undo each other's changes. \
         Without this, the next run takes it over once it has gone {} s unrenewed.\n",
        args.lock_id,
        plinth::lock::describe_holder(&held),
        held.lease_secs
    ))?;
    if !args.force {
        confirm_with(&format!("free the lock `{}`", args.lock_id), "--force")?;
    }
    plinth::lock::force_unlock(session.dynamo(), &args.lock_id, &held).await?;
    emit(&format!("Freed the lock `{}`.\n", args.lock_id))?;
    Ok(ExitCode::SUCCESS)
}
