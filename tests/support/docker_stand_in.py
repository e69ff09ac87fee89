#!/usr/bin/env python3
"""A stand-in for `docker run`, for the workflow tests (tests/pipeline_runs.rs): runs the
plinth binary at $PLINTH_BIN with the arguments that follow the image, in the host
directory mounted at the `-w` directory, with container paths mapped back to the host
paths mounted there. Appends the docker arguments to $DOCKER_STAND_IN_LOG as one JSON
line. The environment passes whole (the emulator's endpoint and credentials with it).
"""
import json
import os
import sys


def main(argv):
    if not argv or argv[0] != "run":
        sys.exit(f"docker stand-in: only `docker run` is known, not {argv!r}")
    with open(os.environ["DOCKER_STAND_IN_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(argv) + "\n")
    args = argv[1:]
    mounts, workdir, i = [], None, 0
    while i < len(args) and args[i].startswith("-"):
        a = args[i]
        if a == "--rm":
            i += 1
        elif a in ("--user", "-e"):
            i += 2
        elif a == "-v":
            source, target = args[i + 1].split(":")[:2]
            mounts.append((target, source))
            i += 2
        elif a == "-w":
            workdir = args[i + 1]
            i += 2
        else:
            sys.exit(f"docker stand-in: unknown option {a}")
    plinth_args = args[i + 1:]

    def host(path):
        for target, source in mounts:
            if path == target or path.startswith(target + "/"):
                return source + path[len(target):]
        return path

    os.chdir(host(workdir))
    os.execv(os.environ["PLINTH_BIN"], ["plinth"] + [host(a) for a in plinth_args])


if __name__ == "__main__":
    main(sys.argv[1:])
