//! The `plinth` binary: parse the command line, set up logging, run one command, and turn
//! its result into the exit code. Each command lives in `commands/<verb>.rs`.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

mod cli;
mod commands;
use cli::{Cli, Command, LogFormat};
use commands::Error;

fn main() -> ExitCode {
    // Usage errors exit 1, not clap's 2, which means "changes" or "drift" for plinth.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(&cli.global);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    let result = runtime.block_on(async {
        plinth::shutdown::install();
        run(&cli).await
    });
    let code = match result {
        Ok(code) => code,
        // The reader of standard output went away (`| head`): end quietly, at once.
        Err(Error::ReaderGone) => return ExitCode::SUCCESS,
        Err(Error::Failed(diags)) => {
            eprint!("{diags}");
            ExitCode::FAILURE
        }
    };
    // Stopped by a signal: the shell's convention, 128 + its number.
    match plinth::shutdown::requested() {
        Some(signal) => ExitCode::from(plinth::shutdown::exit_code(signal)),
        None => code,
    }
}

/// One arm per command.
async fn run(cli: &Cli) -> Result<ExitCode, Error> {
    let global = &cli.global;
    match &cli.command {
        Command::Validate => commands::validate::run(global),
        Command::Plan(args) => commands::plan::run(global, args).await,
        Command::Apply(args) => commands::apply::run(global, args).await,
        Command::Show(args) => commands::show::run(args),
        Command::Bootstrap(args) => commands::bootstrap::run(global, args).await,
        Command::Reconcile(args) => commands::reconcile::run(global, args).await,
        Command::Import(args) => commands::import::run(global, args).await,
        Command::Report(args) => commands::report::run(global, args).await,
        Command::ForceUnlock(args) => commands::force_unlock::run(global, args).await,
        Command::IamPolicy(args) => commands::iam_policy::run(global, args),
        Command::Schema => commands::schema::run(),
    }
}

fn init_logging(global: &cli::GlobalArgs) {
    use tracing_subscriber::EnvFilter;
    let default = match (global.quiet, global.verbose) {
        (true, _) => "error",
        // The SDK's config loading warns about every provider it tries (IMDS and the rest);
        // plinth reports a missing credential itself.
        (_, 0) => "warn,aws_config=error,plinth=info",
        (_, 1) => "warn,aws_config=error,plinth=debug",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_env("PLINTH_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    match global.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.without_time().with_ansi(std::io::stderr().is_terminal()).init(),
    }
}
