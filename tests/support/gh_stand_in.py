#!/usr/bin/env python3
"""A stand-in for the GitHub CLI's `gh api`, for the workflow tests (tests/pipeline_runs.rs).

Answers GET requests from the JSON file $GH_STAND_IN_ANSWERS: an object from request path
(query string included; a GET's fields are its query string, `k=v` joined by `&` in the
order given, unencoded) to the answer, or, for `--paginate`, to a list of pages. Applies
`--jq` as gh does, to each page, with Debian's `jq` (strings printed raw). Appends every
request to $GH_STAND_IN_LOG as one JSON line: method, path, and fields, a field's `@file`
read as gh reads it.
"""
import json
import os
import subprocess
import sys


def main(argv):
    if not argv or argv[0] != "api":
        sys.exit(f"gh stand-in: only `gh api` is known, not {argv!r}")
    args = argv[1:]
    method, path, jq, paginate, fields = None, None, None, False, {}
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-X", "--method"):
            method = args[i + 1]
            i += 2
        elif a == "--jq" or a == "-q":
            jq = args[i + 1]
            i += 2
        elif a == "--paginate":
            paginate = True
            i += 1
        elif a in ("-F", "--field", "-f", "--raw-field"):
            key, _, value = args[i + 1].partition("=")
            if a in ("-F", "--field") and value.startswith("@"):
                with open(value[1:], encoding="utf-8") as f:
                    value = f.read()
            fields[key] = value
            i += 2
        elif a.startswith("-"):
            sys.exit(f"gh stand-in: unknown option {a}")
        else:
            path = a
            i += 1
    method = method or ("POST" if fields else "GET")
    with open(os.environ["GH_STAND_IN_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"method": method, "path": path, "fields": fields}) + "\n")
    if method != "GET":
        print("{}")
        return
    with open(os.environ["GH_STAND_IN_ANSWERS"], encoding="utf-8") as f:
        answers = json.load(f)
    if fields:
        path += "?" + "&".join(f"{k}={v}" for k, v in fields.items())
    if path not in answers:
        sys.exit(f"gh: HTTP 404: Not Found ({path})")
    pages = answers[path] if paginate else [answers[path]]
    for page in pages:
        if jq is None:
            print(json.dumps(page))
            continue
        out = subprocess.run(["jq", "-r", jq], input=json.dumps(page), text=True, capture_output=True)
        if out.returncode != 0:
            sys.exit(f"gh stand-in: jq failed: {out.stderr}")
        sys.stdout.write(out.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
