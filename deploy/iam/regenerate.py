"""Regenerates the policies deploy/ ships from `plinth iam-policy --generic`: the JSON files
here (plan, apply, reconcile: the scheduled guardrail repairs, and log-archive: the role
plinth assumes in the log archive account) and the scheduled task
role's policy in deploy/cloudformation/plinth-scheduled.yaml (the reconcile one, between
its `# BEGIN plinth iam-policy` and `# END` lines). `make iam-policies` runs it;
tests/iam_policy.rs fails when the files differ."""

import json
import pathlib
import subprocess
import sys

plinth, root = sys.argv[1], pathlib.Path(sys.argv[2])


POLICIES = {
    "plan": ["plan"],
    "apply": ["apply"],
    # What `reconcile --repair guardrails` (the shipped schedules) writes, no deletes.
    "reconcile": ["apply", "--repair", "guardrails"],
    # The member role plinth assumes in the log archive account, when not an administrator's.
    "log-archive": ["log-archive"],
}


def policy(name):
    args = [plinth, "iam-policy", *POLICIES[name], "--generic"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


for name in POLICIES:
    (root / f"deploy/iam/plinth-{name}.json").write_text(policy(name))

template = root / "deploy/cloudformation/plinth-scheduled.yaml"
lines = template.read_text().splitlines(keepends=True)
begin = next(i for i, l in enumerate(lines) if l.strip() == "# BEGIN plinth iam-policy reconcile")
end = next(i for i, l in enumerate(lines) if i > begin and l.strip() == "# END plinth iam-policy reconcile")
indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
document = json.dumps(json.loads(policy("reconcile")), indent=2)
body = [f"{indent}PolicyDocument:\n"] + [f"{indent}  {l}\n" for l in document.splitlines()]
template.write_text("".join(lines[: begin + 1] + body + lines[end:]))
