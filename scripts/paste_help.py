#!/usr/bin/env python3
"""Pastes each program's --help over the verbatim block of its page (docs/cli/<program>.md), which the
docs_help tests compare. Usage: scripts/paste_help.py [BUILD_APP_DIR]   (default build/release/app)"""
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
app = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else root / "build/release/app")
for program in ("csq-train", "csq-bench"):
    page = root / "docs" / "cli" / f"{program}.md"
    text = page.read_text()
    printed = subprocess.run([str(app / program), "--help"], capture_output=True, text=True, check=True).stdout.strip()
    start = text.index(f"Usage: {program} [options]")
    end = text.index("\n```", start)
    page.write_text(text[:start] + printed + text[end:])
    print(f"pasted {program} --help into {page.relative_to(root)}")
