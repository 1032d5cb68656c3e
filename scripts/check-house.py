#!/usr/bin/env python3
"""The house rules of README "Project layout", checked over the production sources (app/,
pipeline/, converters/):
  - no source file over 600 lines;
  - no function over 150 lines unless the comment just above it says why it must be long
    (a comment line holding "long" as a word);
  - project headers included by their path from the repository root ("pipeline/core/Text.hpp"),
    never relative to the including file;
  - no folder points back up: core includes only core, and so on (LAYERS below).
Prints one line per breach and exits 1 if there is any. Run: scripts/check-house.py [REPO]."""
import os
import re
import sys

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 150
ROOTS = ("app", "pipeline", "converters")
# What each folder may include, besides itself. A folder not named here may include anything
# below app.
LAYERS = {
    "pipeline/core": [],
    "pipeline/io": ["pipeline/core", "pipeline/io/dicom"],
    "pipeline/io/dicom": ["pipeline/core"],
    "pipeline/slicing": ["pipeline/core"],
    "pipeline/output": ["pipeline/core", "pipeline/slicing"],
    "pipeline/tree": ["pipeline/core", "pipeline/output", "pipeline/slicing", "pipeline/io",
                      "pipeline/io/dicom"],
    "pipeline/run": ["pipeline/core", "pipeline/io", "pipeline/io/dicom", "pipeline/slicing",
                     "pipeline/output", "pipeline/tree"],
    "converters/layout": ["pipeline/core", "pipeline/io", "pipeline/io/dicom", "pipeline/slicing"],
    "converters": ["converters/layout", "pipeline/core", "pipeline/io", "pipeline/io/dicom",
                   "pipeline/slicing"],
}

# A function definition at namespace level, as clang-format lays it out: a line at column 0 that
# is not a type, namespace or preprocessor line, opens a parameter list, and opens its body on
# that line or on one of the next few (parameters wrapped) before any ';'.
FUNCTION_START = re.compile(r"^(?!namespace|struct|class|enum|union|template|#|//|\}|using|static_assert)"
                            r"[A-Za-z_][^;=]*\(")
INCLUDE = re.compile(r'^#include "([^"]+)"')


def sources(repo):
    for root in ROOTS:
        for folder, _, files in os.walk(os.path.join(repo, root)):
            for name in sorted(files):
                if name.endswith((".cpp", ".hpp")):
                    yield os.path.relpath(os.path.join(folder, name), repo)


def comment_above(lines, start):
    i = start - 1
    while i >= 0 and lines[i].startswith("template"):
        i -= 1
    text = []
    while i >= 0 and lines[i].lstrip().startswith("//"):
        text.append(lines[i])
        i -= 1
    return " ".join(text)


def check(repo):
    breaches = []
    for rel in sources(repo):
        with open(os.path.join(repo, rel), encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) > MAX_FILE_LINES:
            breaches.append(f"{rel}: {len(lines)} lines (at most {MAX_FILE_LINES})")
        i = 0
        while i < len(lines):
            body = i
            while (body < len(lines) and body < i + 8 and ";" not in lines[body]
                   and not lines[body].rstrip().endswith("{")):
                body += 1
            if (FUNCTION_START.match(lines[i]) and body < len(lines)
                    and lines[body].rstrip().endswith("{") and ";" not in lines[body]):
                end = i
                while end < len(lines) and lines[end] != "}":
                    end += 1
                length = end - i + 1
                if length > MAX_FUNCTION_LINES and not re.search(r"\blong\b",
                                                                 comment_above(lines, i)):
                    breaches.append(f"{rel}:{i + 1}: a function of {length} lines (at most "
                                    f"{MAX_FUNCTION_LINES} without a comment above saying why "
                                    "it is long)")
                i = end
            i += 1
        folder = os.path.dirname(rel)
        allowed = LAYERS.get(folder)
        for n, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            if not os.path.exists(os.path.join(repo, target)):
                breaches.append(f"{rel}:{n}: #include \"{target}\" is not a path from the "
                                "repository root")
                continue
            to = os.path.dirname(target)
            if to == folder:
                continue
            if to.startswith("app") and not folder.startswith("app"):
                breaches.append(f"{rel}:{n}: includes {target}: only app/ may include app/")
            elif allowed is not None and to not in allowed:
                breaches.append(f"{rel}:{n}: includes {target}: {folder}/ may include only "
                                f"{', '.join(allowed) or 'itself'}")
    return breaches


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    breaches = check(os.path.abspath(repo))
    for b in breaches:
        print(b)
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
