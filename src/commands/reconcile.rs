//! `plinth reconcile`: one pass, or a pass every `--every`, each ending with its summary
//! record; failures reported and published, and retried sooner with backoff.

use std::process::ExitCode;
use std::time::Duration;

use plinth::baseline;
use plinth::diag::Diagnostics;
use plinth::engine::Session;
use plinth::lock::LockOptions;

use super::{Error, connect, connect_options, emit};
use crate::cli::{self, LogFormat};

/// Reconcile once, or every `--every` until stopped. The baseline is read again each pass
/// (it may have been updated). A pass that fails is reported (and published with
/// `--notify-topic`), and the next one comes sooner, backing off from a tenth of the
/// interval up to the interval itself: kube-rs's error policy, never a busy loop. The
/// first signal stops the loop between passes.
/// Standard output closed ends the loop at once, as it ends every command.
pub async fn run(global: &cli::GlobalArgs, args: &cli::ReconcileArgs) -> Result<ExitCode, Error> {
    use backon::BackoffBuilder;
    let mut retry: Option<backon::ExponentialBackoff> = None;
    loop {
        let code = match reconcile_pass(global, args).await {
            Ok(code) => {
                retry = None;
                code
            }
            Err(Error::ReaderGone) => return Err(Error::ReaderGone),
            Err(Error::Failed(diags)) => {
                eprint!("{diags}");
                if let Some(topic) = &args.notify_topic {
                    notify_failure(global, topic, &diags).await;
                }
                1
            }
        };
        let Some(every) = args.every.map(|e| *e) else {
            return Ok(ExitCode::from(code));
        };
        let wait = if code == 1 {
            let backoff = retry.get_or_insert_with(|| {
                backon::ExponentialBuilder::default()
                    .with_min_delay(every / 10)
                    .with_max_delay(every)
                    .with_factor(2.0)
                    .with_jitter()
                    .without_max_times()
                    .build()
            });
            backoff.next().unwrap_or(every).min(every)
        } else {
            every
        };
        tracing::info!(
            "next pass in {}",
            humantime::format_duration(Duration::from_secs(wait.as_secs().max(1)))
        );
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = plinth::shutdown::wait() => {
                tracing::info!("stopping between passes");
                return Ok(ExitCode::from(code));
            }
        }
    }
}

/// Tell the `--notify-topic` that a pass failed, with the error as plinth printed it.
async fn notify_failure(global: &cli::GlobalArgs, topic: &str, diags: &Diagnostics) {
    let session = Session::connect(&connect_options(global, None)).await;
    let message = serde_json::json!({"failed_pass": true, "error": diags.to_string()});
    let text = serde_json::to_string_pretty(&message).unwrap_or_default();
    if let Err(e) = session.notify(topic, "plinth reconcile failed", &text).await {
        eprint!("{e}");
    }
}

async fn reconcile_pass(global: &cli::GlobalArgs, args: &cli::ReconcileArgs) -> Result<u8, Error> {
    let baseline = baseline::load(&global.baseline)?;
    // A pass reads per account only for the kinds it repairs (contacts, root access).
    let session = connect(global, &baseline).await.with_account_reads(args.repair.kinds());
    let lock_options = LockOptions {
        timeout: *args.lock_timeout,
        ..LockOptions::default()
    };
    let summary = plinth::reconcile::pass(&session, &baseline, &args.repair, &args.allow(), lock_options).await?;
    let record = match global.log_format {
        LogFormat::Json => serde_json::to_string(&summary).expect("summaries serialise") + "\n",
        LogFormat::Text => format!("{summary}\n"),
    };
    emit(&record)?;
    if let Some(topic) = &args.notify_topic
        && (summary.drift_found > 0 || summary.failed > 0)
    {
        let message = serde_json::to_string_pretty(&summary).expect("summaries serialise");
        session.notify(topic, "plinth found drift", &message).await?;
    }
    Ok(summary.exit_code())
}
