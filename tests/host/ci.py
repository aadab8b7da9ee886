#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The CI files (action.yml, ci/gitlab.yml) and the workflow examples of docs/matrices-and-ci.md
# parse as YAML; the commands they run (quiz, quiz-kernel, quiz-image, meson, scripts/) are ones
# the documentation (README.md and docs/) describes, with options quiz --help lists; the
# examples use only the action's inputs.
import glob
import os
import re
import shlex
import subprocess
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
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


try:
    import yaml
except ImportError:
    print("1..0 # SKIP python3-yaml is not installed (scripts/setup installs it)")
    sys.exit(0)

# "The docs": the README and docs/*.md, read as one text; the examples are docs/matrices-and-ci.md's.
docs = "\n".join(open(p).read() for p in [os.path.join(root, "README.md")]
                   + sorted(glob.glob(os.path.join(root, "docs", "*.md"))))
examples = open(os.path.join(root, "docs", "matrices-and-ci.md")).read()
quiz = os.environ.get("QUIZ", os.path.join(root, "build", "runner", "quiz"))
quiz_help = subprocess.run([quiz, "--help"], capture_output=True, text=True).stdout
qk_help = subprocess.run([os.path.join(os.path.dirname(quiz), "quiz-kernel"), "--help"],
                         capture_output=True, text=True).stdout


def load(path):
    try:
        with open(os.path.join(root, path)) as f:
            return yaml.safe_load(f), None
    except Exception as e:  # a parse error is the test's finding
        return None, e


def scripts_of(doc):
    """Every shell script the file runs: GitHub steps' run, GitLab's before_script/script."""
    out = []
    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "run" and isinstance(value, str):
                    out.append(value)
                elif key in ("before_script", "script", "after_script"):
                    for item in value if isinstance(value, list) else [value]:
                        # A line YAML read as a mapping ("echo quiz: x") is a bug to report.
                        out.append(item if isinstance(item, str) else f"NOT-A-STRING {item!r}")
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(doc)
    return out


COMMANDS = ("quiz", "quiz-kernel", "quiz-image", "meson", "ninja")


def commands_in(script):
    """(command, subcommand or None, [options]) for each of COMMANDS the script runs."""
    found = []
    text = script.replace("\\\n", " ")
    for line in text.splitlines():
        for part in re.split(r"&&|\|\||;|\||\bdo\b|\bthen\b|\belse\b", line):
            words = part.strip().split()
            if words[:1] == ["sudo"] or words[:1] == ["exec"]:
                words = words[1:]
            if not words:
                continue
            cmd = words[0]
            if cmd.endswith("/scripts/setup") or cmd == "./scripts/setup":
                found.append(("scripts/setup", None, []))
                continue
            if cmd not in COMMANDS:
                continue
            sub = words[1] if len(words) > 1 and re.fullmatch(r"[a-z][a-z0-9-]*", words[1]) else None
            opts = [re.sub(r"=.*", "", w) for w in words[1:] if re.fullmatch(r"-{1,2}[A-Za-z][\w-]*(=.*)?", w)]
            opts += re.findall(r"\$\{\w+:\+(-{1,2}[A-Za-z][\w-]*)", part)
            found.append((cmd, sub, opts))
    return found


def check_commands(name, doc):
    bad = [s for s in scripts_of(doc) if s.startswith("NOT-A-STRING")]
    ok(not bad, f"{name}: every script line is a string (quoted where it holds ': ')", bad)
    cmds = [c for s in scripts_of(doc) for c in commands_in(s)]
    ok(len(cmds) > 0, f"{name}: runs commands", cmds)
    for cmd, sub, opts in cmds:
        if cmd == "scripts/setup":
            ok("scripts/setup" in docs, f"{name}: scripts/setup is in the docs")
            continue
        phrase = f"{cmd} {sub}" if sub and cmd != "quiz" else cmd
        ok(f"`{phrase}" in docs or f"    {phrase} " in docs or f"{phrase}`" in docs,
           f"{name}: '{phrase}' is documented in the docs")
        for opt in opts:
            if cmd == "quiz":
                listed = re.search(r"(^|[ ,])" + re.escape(opt) + r"\b", quiz_help, re.M)
                ok(listed and opt in docs, f"{name}: quiz {opt} is in quiz --help and the docs")
            elif cmd == "quiz-kernel":
                ok(opt in qk_help, f"{name}: quiz-kernel {opt} is in quiz-kernel --help")
            elif cmd in ("meson", "ninja"):
                ok(True, f"{name}: {cmd} {opt} (meson's own)")
            else:
                ok(opt in docs or opt in open(os.path.join(root, "man", "quiz-image.1")).read(),
                   f"{name}: {cmd} {opt} is documented")


action, err = load("action.yml")
ok(action is not None, "action.yml parses as YAML", err)
gitlab, err = load("ci/gitlab.yml")
ok(gitlab is not None, "ci/gitlab.yml parses as YAML", err)
if action:
    ok(action.get("runs", {}).get("using") == "composite", "action.yml is a composite action")
    uses = [s.get("uses", "") for s in action["runs"]["steps"]]
    ok(any(u.startswith("actions/cache/restore@") for u in uses)
       and any(u.startswith("actions/cache/save@") for u in uses),
       "action.yml restores and saves the cache", uses)
    ok(any(u.startswith("actions/upload-artifact@") for u in uses), "action.yml uploads the reports")
    save = [s for s in action["runs"]["steps"] if s.get("uses", "").startswith("actions/cache/save@")]
    ok(save and "steps.stamps.outputs.key" in save[0]["with"]["key"]
       and any("kernels/*/*/stamp" in s for s in scripts_of(action)),
       "the cache is saved under a key made of quiz's stamps")
    check_commands("action.yml", action)
if gitlab:
    job = gitlab.get(".quiz", {})
    ok(job.get("artifacts", {}).get("reports", {}).get("junit") == "$QUIZ_JUNIT",
       "ci/gitlab.yml reports the JUnit file")
    ok(any("--shard" in s and "CI_NODE_INDEX" in s for s in scripts_of(gitlab)),
       "ci/gitlab.yml shards under parallel: N")
    check_commands("ci/gitlab.yml", gitlab)

# The YAML examples parse; those that use the action give only its inputs.
blocks = re.findall(r"```yaml\n(.*?)```", examples, re.S)
ok(len(blocks) >= 3, f"docs/matrices-and-ci.md has YAML examples ({len(blocks)})")
inputs = set((action or {}).get("inputs", {}))
for i, block in enumerate(blocks, 1):
    try:
        doc = yaml.safe_load(block)
    except Exception as e:
        ok(False, f"YAML example {i} parses", e)
        continue
    ok(isinstance(doc, dict), f"YAML example {i} parses")
    def steps(node):
        if isinstance(node, dict):
            if "uses" in node and "quiz@" in str(node["uses"]):
                yield node
            for v in node.values():
                yield from steps(v)
        elif isinstance(node, list):
            for v in node:
                yield from steps(v)
    for step in steps(doc):
        given = set(step.get("with", {}))
        ok(given <= inputs, f"YAML example {i}: the action's inputs it gives exist ({sorted(given)})",
           sorted(given - inputs))
        if "run" in step.get("with", {}):
            for cmd, sub, opts in commands_in(step["with"]["run"]):
                for opt in opts:
                    ok(opt in quiz_help, f"YAML example {i}: {cmd} {opt} is an option quiz has")
    if "include" in (doc or {}):
        ok(any(isinstance(x, dict) and x.get("file") == "ci/gitlab.yml" for x in doc["include"]),
           f"YAML example {i} includes ci/gitlab.yml")
        for key, job in doc.items():
            if isinstance(job, dict) and job.get("extends") == ".quiz":
                extra = set(job.get("variables", {})) - set((gitlab or {}).get(".quiz", {}).get("variables", {}))
                ok(not extra, f"YAML example {i}: job {key} sets only the template's variables", extra)

print(f"1..{n}")
sys.exit(1 if failed else 0)
