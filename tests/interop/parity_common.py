"""Shared helpers of the interop (parity) scripts: running kvtuner's programs and failing with one line."""
import json
import os
import subprocess
import sys


class ParityError(Exception):
    """A failed check or step; main() prints it as one line and exits 1."""


def run(args, what, stdout_path=None):
    """Runs a program (a list of arguments); returns its stdout as text. A non-zero exit is a ParityError
    naming the command and quoting the last line it printed on stderr."""
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ParityError(f"{what}: `{' '.join(args)}` exited {proc.returncode}: {err[-1] if err else '(no stderr)'}")
    out = proc.stdout.decode("utf-8")
    if stdout_path:
        with open(stdout_path, "w", encoding="utf-8") as f:
            f.write(out)
    return out


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, values):
    with open(path, "w", encoding="utf-8") as f:
        for v in values:
            f.write(json.dumps(v, ensure_ascii=False) + "\n")


def main_wrapper(main):
    """Runs main(); a ParityError (or a missing file) becomes a one-line message and exit 1."""
    try:
        sys.exit(main())
    except (ParityError, FileNotFoundError) as e:
        print(f"{os.path.basename(sys.argv[0])}: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
