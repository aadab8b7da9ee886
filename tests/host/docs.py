#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The documentation's links: every relative link in README.md, CONTRIBUTING.md and docs/*.md
# reaches a file of the repository, and its #anchor a heading of that file; README.md is a
# front page (at most 300 lines) that links every file of docs/; CONTRIBUTING.md's table of
# where each option lives has a row for each, in --help's order, and names files that exist.
import glob
import os
import re
import sys

root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
n = 0
failed = 0


def ok(cond, what, diag=""):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + f" {n} - {what}")
    if not cond:
        failed += 1
        for line in str(diag).splitlines():
            print("#   " + line)


def prose_lines(text):
    """The lines that are not code: fenced blocks and indented blocks (after a blank line or
    another such line, outside a list) are left out; inline code spans are blanked."""
    out = []
    fence = False
    code = False
    prev_blank = True
    in_list = False
    for line in text.splitlines():
        if re.match(r"\s*(```|~~~)", line):
            fence = not fence
            out.append("")
            continue
        if fence:
            out.append("")
            continue
        blank = not line.strip()
        if re.match(r"( {0,3})([-*+]|\d+\.) ", line):
            in_list = True
        elif not blank and not line.startswith(" "):
            in_list = False
        if not blank and re.match(r"(    |\t)", line) and (prev_blank or code) and not in_list:
            code = True
            out.append("")
            continue
        if not blank:
            code = False
        prev_blank = blank
        out.append(re.sub(r"`[^`]*`", "", line))
    return out


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    s = re.sub(r"`", "", heading.strip().lower())
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


anchors_cache = {}


def anchors(path):
    if path not in anchors_cache:
        seen = {}
        found = set()
        for line in prose_lines(open(path, encoding="utf-8").read()):
            m = re.match(r"#{1,6} +(.*?) *#* *$", line)
            if not m:
                continue
            s = slug(m.group(1))
            k = seen.get(s, 0)
            seen[s] = k + 1
            found.add(s if k == 0 else f"{s}-{k}")
        anchors_cache[path] = found
    return anchors_cache[path]


files = ["README.md", "CONTRIBUTING.md"] + sorted(
    os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "docs", "*.md")))
link_re = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
for name in files:
    path = os.path.join(root, name)
    lines = prose_lines(open(path, encoding="utf-8").read())
    bad = []
    count = 0
    for i, line in enumerate(lines, 1):
        for target in link_re.findall(line):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                continue
            count += 1
            file_part, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
            if not dest.startswith(root + os.sep) or not os.path.exists(dest):
                bad.append(f"{name}:{i}: {target}: no file {os.path.relpath(dest, root)}")
            elif anchor and (not dest.endswith(".md") or anchor not in anchors(dest)):
                bad.append(f"{name}:{i}: {target}: no heading #{anchor} in {os.path.relpath(dest, root)}")
    ok(not bad, f"{name}: its {count} relative links and anchors resolve", "\n".join(bad))

# CONTRIBUTING.md's "Where a behaviour lives": one row per option of options.c's table, in its
# order; every file and test it names exists.
contributing = open(os.path.join(root, "CONTRIBUTING.md"), encoding="utf-8").read()
source = open(os.path.join(root, "runner", "core", "options.c"), encoding="utf-8").read()
table = source[source.index("options_table[] = {"):]
table = table[:table.index("\n};")]
want = re.findall(r'^\s*\{"([a-z-]+)",', table, re.M)
section = contributing.partition("## Where a behaviour lives")[2].partition("\n## ")[0]
rows = [r for r in section.splitlines() if r.startswith("| `-")]
got = [re.search(r"--([a-z-]+)`", r.split("|")[1]).group(1) for r in rows]
ok(want and got == want, f"CONTRIBUTING.md: a row for each of quiz's {len(want)} options, in --help's order",
   f"options.c: {want}\nCONTRIBUTING.md: {got}")
folders = {2: ["runner/core", "common"], 3: ["runner/host", "runner", "."], 4: ["guest-init"]}
missing = []
for r in rows:
    cells = [c.strip() for c in r.split("|")]
    for col, where in folders.items():
        for name in re.findall(r"`([\w./-]+\.c|profiles/[\w/-]+)`", cells[col]):
            if not any(os.path.exists(os.path.join(root, w, name)) for w in where):
                missing.append(f"{cells[1]}: {name}")
    for col in (5, 6):
        for test in re.findall(r"\b(test|host|vm)-([a-z-]+)", cells[col]):
            kind, name = test
            path = {"test": f"tests/unit/test-{name}.c", "host": f"tests/host/{name}.sh",
                    "vm": f"tests/vm/{name}.sh"}[kind]
            if not os.path.exists(os.path.join(root, path)):
                missing.append(f"{cells[1]}: {kind}-{name} ({path})")
ok(rows and not missing, "CONTRIBUTING.md: every file and test the table names exists", "\n".join(missing))

readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
lines = readme.count("\n")
ok(lines <= 300, f"README.md is a front page: {lines} lines (at most 300)")
linked = {os.path.normpath(t.partition("#")[0]) for line in prose_lines(readme)
          for t in link_re.findall(line)}
missing = [f for f in files if f.startswith("docs" + os.sep) and f not in linked]
ok(not missing, "README.md links every file of docs/", "\n".join(missing))

print(f"1..{n}")
sys.exit(1 if failed else 0)
