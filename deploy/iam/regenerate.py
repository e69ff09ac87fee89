"""Regenerates the policies deploy/ ships from `plinth iam-policy --generic`: the two JSON
files here and the task role's policy in deploy/cloudformation/plinth-scheduled.yaml
(between its `# BEGIN plinth iam-policy apply` and `# END` lines). `make iam-policies`
runs it; tests/deploy.rs and tests/least_privilege.rs fail when the files differ."""

import json
import pathlib
import subprocess
import sys

plinth, root = sys.argv[1], pathlib.Path(sys.argv[2])


def policy(role):
    out = subprocess.run([plinth, "iam-policy", role, "--generic"], check=True, capture_output=True, text=True)
    return out.stdout


for role in ("plan", "apply"):
    (root / f"deploy/iam/plinth-{role}.json").write_text(policy(role))

template = root / "deploy/cloudformation/plinth-scheduled.yaml"
lines = template.read_text().splitlines(keepends=True)
begin = next(i for i, l in enumerate(lines) if l.strip() == "# BEGIN plinth iam-policy apply")
end = next(i for i, l in enumerate(lines) if i > begin and l.strip() == "# END plinth iam-policy apply")
indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
document = json.dumps(json.loads(policy("apply")), indent=2)
body = [f"{indent}PolicyDocument:\n"] + [f"{indent}  {l}\n" for l in document.splitlines()]
template.write_text("".join(lines[: begin + 1] + body + lines[end:]))
