//! `plinth iam-policy`: the IAM policy plinth's plan or apply role needs.

use std::process::ExitCode;

use plinth::baseline;
use plinth::diag::Diagnostic;

use super::{Error, emit};
use crate::cli;

/// `plinth iam-policy`: the policy document on standard output.
pub fn run(global: &cli::GlobalArgs, args: &cli::IamPolicyArgs) -> Result<ExitCode, Error> {
    use plinth::iam_policy;
    use plinth::kinds::Phase;
    let baseline = if args.generic {
        None
    } else if !global.baseline.exists() {
        return Err(Diagnostic::error(format!("cannot read baseline `{}`", global.baseline.display()))
            .cause("no such file")
            .hint("pass the baseline with `-f FILE`, or `--generic` for the policy deploy/iam/ ships: plinth's default names, wildcards where a baseline names the bucket and trail")
            .into());
    } else {
        Some(baseline::load(&global.baseline)?)
    };
    let names = iam_policy::names(baseline.as_ref().map(|b| &b.file), args.notify_topic.as_deref());
    let phase = match args.role {
        cli::IamRole::Plan => Phase::Plan,
        cli::IamRole::Apply => Phase::Apply,
        cli::IamRole::LogArchive => {
            let document = iam_policy::log_archive_document(baseline.as_ref().map(|b| &b.file));
            emit(&iam_policy::to_text(&document))?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let kinds = args.repair.as_ref().map(|r| match r {
        plinth::reconcile::Repair::All => None,
        plinth::reconcile::Repair::None => Some(Default::default()),
        plinth::reconcile::Repair::Kinds(k) => Some(k.clone()),
    });
    let writes = match &kinds {
        None => iam_policy::Writes::ALL,
        Some(kinds) => iam_policy::Writes {
            kinds: kinds.as_ref(),
            delete: args.allow_delete,
        },
    };
    emit(&iam_policy::to_text(&iam_policy::document(phase, &names, &writes)))?;
    Ok(ExitCode::SUCCESS)
}
