//! The trail with `[log_archive]`: its bucket is that kind's, in the log archive account.
//! The trail waits for the bucket's changes, and is moved there from a bucket of the
//! management account (which is kept, with its logs). While the log archive is blocked
//! or was not read, a trail that delivers elsewhere (or none) is left out of the plan:
//! plinth never points the trail at a bucket it has not seen ready.

use super::*;
use crate::diag::SourceFile;
use crate::kinds::cross::ArchiveBucket;
use crate::plan::Address;

pub(super) fn wait_for_archive(
    plan: &mut Plan,
    t: &TrailSection,
    observed: &TrailState,
    src: &SourceFile,
    archive: ArchiveBucket,
    trail_deps: &mut Vec<Address>,
) -> Result<(), Diagnostics> {
    let bucket = t.bucket.get_ref().as_str();
    let delivers_to = observed.trail.as_ref().map(|i| i.settings.s3_bucket.as_str());
    if !archive.ready {
        if delivers_to == Some(bucket) {
            // Already there: the trail's other settings are repaired as usual.
            return Ok(());
        }
        return Err(Diagnostic::error(format!(
            "the trail waits for its bucket `{bucket}` in the log archive account"
        ))
        .at(src, t.bucket.span())
        .cause("the log archive's bucket is not known to be ready in this run (its account was not read, or it is blocked)")
        .hint("resolve what blocks `[log_archive]`; the trail keeps delivering where it does until then")
        .blocking(Trail::NAME)
        .into());
    }
    if let Some(old) = delivers_to
        && old != bucket
    {
        plan.notes.push(format!(
            "trail `{}` moves from bucket `{old}` to `{bucket}` in the log archive account {}; bucket `{old}` and the logs in it are kept (plinth never deletes a bucket)",
            t.name.get_ref(),
            archive.account.as_deref().unwrap_or("?"),
        ));
    }
    trail_deps.extend(archive.deps);
    Ok(())
}
