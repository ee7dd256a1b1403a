#!/usr/bin/python3
"""The documentation holds together: every relative link in the project's Markdown files resolves to a
file, and its #anchor to a heading (or an <a id>) of that file; the config reference's generated table
is what `csq-train --config-reference` prints.

Usage: docs_check.py SOURCE_DIR CSQ_TRAIN
"""
import pathlib
import re
import subprocess
import sys

GENERATED = re.compile(r"<!-- generated:.*?-->\n\n(.*?)\n\n<!-- end of generated text -->", re.S)


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|<[^>]+>", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(text):
    found, fence = set(), False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and re.match(r"#{1,6} ", line):
            found.add(slug(line.lstrip("#")))
    found.update(re.findall(r'<a id="([^"]+)"', text))
    return found


def links(text):
    """Markdown link targets outside code blocks and code spans."""
    out, fence = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
            continue
        if not fence:
            out += re.findall(r"\]\(([^)\s]+)\)", re.sub(r"`[^`]*`", "", line))
    return out


def main():
    root, csq_train = pathlib.Path(sys.argv[1]), sys.argv[2]
    pages = [root / "README.md", root / "CONTRIBUTING.md", root / "CHANGELOG.md"] + sorted((root / "docs").rglob("*.md"))
    problems = []
    for page in pages:
        text = page.read_text()
        for target in links(text):
            if re.match(r"[a-z]+:", target):
                continue  # http:, https:, mailto:
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                problems.append(f"{page.relative_to(root)}: link to {target}: no such file")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text()):
                problems.append(f"{page.relative_to(root)}: link to {target}: no heading #{anchor} there")
    reference = root / "docs" / "reference" / "config.md"
    printed = subprocess.run([csq_train, "--config-reference"], capture_output=True, text=True, check=True).stdout
    block = GENERATED.search(reference.read_text())
    if not block:
        problems.append("docs/reference/config.md: no generated table between its markers")
    elif block.group(1).strip() != printed.strip():
        problems.append("docs/reference/config.md: its table differs from `csq-train --config-reference`; paste that output")
    for p in problems:
        print("docs_check:", p)
    if problems:
        sys.exit(1)
    print(f"docs_check: {len(pages)} pages, every relative link resolves; the config reference is the field table's")


if __name__ == "__main__":
    main()
