#!/usr/bin/python3
"""The README's 30-second start runs as written: each command of its first shell block, from a scratch
folder, with the programs this build made (the GUI offscreen, answering --help). Every command must
exit 0, and the run the block trains must write the files the next command reads.

Usage: docs_quick_start.py SOURCE_DIR BUILD_APP_DIR WORK_DIR
"""
import pathlib
import re
import shlex
import shutil
import subprocess
import sys


def main():
    root, app, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    readme = (root / "README.md").read_text()
    section = readme[readme.index("## A 30-second start"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip()]
    if not commands:
        sys.exit("docs_quick_start: the README's 30-second start shows no command")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for line in commands:
        words = shlex.split(line)
        program = pathlib.Path(words[0]).name
        if not words[0].startswith("build/release/app/") or not (app / program).exists():
            sys.exit(f"docs_quick_start: '{line}' does not run a program this build makes")
        print("$", line, flush=True)
        done = subprocess.run([str(app / program)] + words[1:], cwd=work, capture_output=True, text=True, timeout=240)
        print(done.stdout[-1500:], done.stderr[-1500:], sep="\n", flush=True)
        if done.returncode != 0:
            sys.exit(f"docs_quick_start: '{line}' exited with {done.returncode}")
    print(f"docs_quick_start: the {len(commands)} commands of the README's 30-second start ran")


if __name__ == "__main__":
    main()
