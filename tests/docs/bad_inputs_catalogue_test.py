#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks docs/bad-inputs.md against the tests it names, so the catalogue and the tests cannot drift.

Fails when the catalogue has fewer than 40 entries, or when an entry
  - lacks a field (User sees, Result, Pinned, Test), or its id is not unique;
  - pins a text that is not part of what it says the user sees;
  - names a test binary this build does not know, or a test case the binary does not list
    (`<binary> --list-test-names-only`);
  - names a test file without that TEST_CASE, or whose test case body does not contain the pinned
    text (as written in C++: escaped, or raw) or the number of its Result (exit code, HTTP status).

Binaries of plugins this build leaves out (e.g. in_mqtt without libmosquitto) are reported as
skipped, not failed; their entries still count towards the 40.

Usage: bad_inputs_catalogue_test.py --doc docs/bad-inputs.md --source-dir <repo>
           --known <binary>... --binary <name>=<path>...
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

MIN_ENTRIES = 40

ENTRY = re.compile(r"^#### ([A-Z]+-\d+) (.+)$")
FIELD = re.compile(r"^- ([A-Za-z ]+?)(?: \(([^)]*)\))?: ?(.*)$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
TEST_REF = re.compile(r'^`(\S+) :: "(.+)"` in `([^`]+)`$')


def parse(doc_text):
    """Entries as dicts: id, title, line, fields {name: text}, sees (the text the user sees)."""
    entries = []
    current = None
    in_fence = False
    for number, line in enumerate(doc_text.splitlines(), 1):
        m = ENTRY.match(line)
        if m and not in_fence:
            current = {"id": m.group(1), "title": m.group(2), "line": number, "fields": {}, "sees": []}
            entries.append(current)
            continue
        if current is None:
            continue
        if line.startswith("#"):
            current = None
            continue
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            if current.get("last") == "User sees":
                current["sees"].append(line[2:] if line.startswith("  ") else line)
            continue
        f = FIELD.match(line)
        if f:
            name, value = f.group(1), f.group(3)
            current["fields"][name] = value
            current["last"] = name
            if name == "User sees":
                current["sees"].extend(span_text(span[1]) for span in CODE_SPAN.findall(value))
    return entries


def span_text(content):
    """A code span's text as CommonMark reads it: one space stripped from each end when both have one."""
    if len(content) >= 2 and content[0] == " " and content[-1] == " " and content.strip():
        return content[1:-1]
    return content


def code_span(text):
    m = re.fullmatch(r"(`+)(.+?)\1", text.strip())
    return span_text(m.group(2)) if m else None


def cpp_escaped(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def test_case_body(source, name):
    """The text from TEST_CASE("<name>" to the next TEST_CASE (or the end), or None."""
    start = source.find('TEST_CASE("' + cpp_escaped(name) + '"')
    if start < 0:
        return None
    end = source.find("TEST_CASE(", start + 1)
    return source[start:] if end < 0 else source[start:end]


def listed_tests(path, cache={}):
    if path not in cache:
        out = subprocess.run([path, "--list-test-names-only"], capture_output=True, text=True, timeout=60)
        cache[path] = {line.strip() for line in out.stdout.splitlines() if line.strip()}
    return cache[path]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doc", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--known", nargs="*", default=[])
    ap.add_argument("--binary", nargs="*", default=[])
    args = ap.parse_args()

    binaries = dict(b.split("=", 1) for b in args.binary)
    known = set(args.known) | set(binaries)
    source_dir = Path(args.source_dir)
    entries = parse(Path(args.doc).read_text(encoding="utf-8"))
    problems = []
    skipped = []

    def problem(entry, text):
        problems.append(f"{args.doc}:{entry['line']}: {entry['id']}: {text}")

    if len(entries) < MIN_ENTRIES:
        problems.append(f"{args.doc}: {len(entries)} entries, the catalogue needs at least {MIN_ENTRIES}")
    seen = set()
    for e in entries:
        if e["id"] in seen:
            problem(e, "duplicate id")
        seen.add(e["id"])
        fields = e["fields"]
        missing = [f for f in ("Input", "User sees", "Result", "Pinned", "Test") if f not in fields]
        if missing:
            problem(e, "missing field(s): " + ", ".join(missing))
            continue
        pinned = code_span(fields["Pinned"])
        if not pinned:
            problem(e, "Pinned must be one code span: " + fields["Pinned"])
            continue
        if not any(pinned in s for s in e["sees"]):
            problem(e, f"the pinned text is not part of what the user sees: {pinned!r}")
        ref = TEST_REF.match(fields["Test"])
        if not ref:
            problem(e, 'Test must read `<binary> :: "<test case>"` in `<file>`: ' + fields["Test"])
            continue
        binary, name, file = ref.groups()
        if binary not in known:
            problem(e, f"unknown test binary {binary}")
            continue
        path = source_dir / file
        if not path.is_file():
            problem(e, f"no test file {file}")
            continue
        body = test_case_body(path.read_text(encoding="utf-8"), name)
        if body is None:
            problem(e, f'{file} has no TEST_CASE("{name}"')
            continue
        if cpp_escaped(pinned) not in body and pinned not in body:
            problem(e, f'the test case "{name}" does not contain the pinned text {pinned!r}')
        for number in re.findall(r"\b\d{2,3}\b", fields["Result"]):
            if not re.search(r"(?<![\w.])" + number + r"(?![\w.])", body):
                problem(e, f'the test case "{name}" does not check the result {number}')
        if binary not in binaries:
            skipped.append(f"{e['id']}: {binary} is not built here")
            continue
        if name not in listed_tests(binaries[binary]):
            problem(e, f'{binary} does not list the test case "{name}"')

    for s in skipped:
        print("skipped:", s)
    for p in problems:
        print(p)
    print(f"{len(entries)} entries, {len(problems)} problem(s), {len(skipped)} skipped")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
