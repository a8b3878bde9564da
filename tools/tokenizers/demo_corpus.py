#!/usr/bin/python3
"""Writes the demo-model corpus: code we may ship, concatenated in a fixed order.

Sources: Python's standard library sources (/usr/lib/python3.11, PSF licence; tests, site/dist-packages
and generated sysconfig files left out) and this repository's own tracked source files.
Each file becomes one document: a header line "# file: <path>" then its text. Documents are separated
by a blank line. The demo tokenizers and the demo models are trained on this same text.

usage: demo_corpus.py OUT.txt [--stdlib DIR] [--repo DIR] [--repo-commit COMMIT]
  --repo-commit  take the repository's files as of that commit instead of the working tree's tracked files
                 (make_demo_tokenizers.sh pins the commit the demo tokenizers were made from)
"""
import argparse
import os
import subprocess
import sys

SKIP_DIRS = {"test", "tests", "site-packages", "dist-packages", "__pycache__", "idle_test", "config-3.11-x86_64-linux-gnu"}
REPO_SUFFIXES = (".java", ".py", ".sh", ".md", ".xml", ".css", ".json")
MAX_FILE_BYTES = 400_000  # leaves out the odd huge generated file


def stdlib_files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith(".py") and not name.startswith("_sysconfigdata"):
                out.append(os.path.join(dirpath, name))
    return sorted(out)


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


def repo_files(repo, commit=None):
    """(name, text) of the repository's source files: tracked files now, or the files of a commit."""
    listed = git(repo, "ls-tree", "-r", "--name-only", commit) if commit else git(repo, "ls-files")
    out = []
    for rel in sorted(listed.splitlines()):
        # the corpus never feeds on generated tokenizer data or test vectors
        if rel.endswith(REPO_SUFFIXES) and "/resources/" not in rel and "tekken" not in rel:
            if commit:
                out.append((rel, git(repo, "show", f"{commit}:{rel}")))
            else:
                try:
                    with open(os.path.join(repo, rel), "r", encoding="utf-8") as f:
                        out.append((rel, f.read()))
                except (UnicodeDecodeError, OSError):
                    pass
    return out


def stdlib_texts(root):
    out = []
    for path in stdlib_files(root):
        try:
            with open(path, "r", encoding="utf-8") as f:
                out.append((os.path.relpath(path, root), f.read()))
        except (UnicodeDecodeError, OSError):
            pass
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--stdlib", default="/usr/lib/python3.11")
    ap.add_argument("--repo", default=os.path.normpath(os.path.join(here, "..", "..")))
    ap.add_argument("--repo-commit", default=None)
    args = ap.parse_args()
    total = 0
    with open(args.out, "w", encoding="utf-8", newline="\n") as out:
        for name, text in stdlib_texts(args.stdlib) + repo_files(args.repo, args.repo_commit):
            if len(text.encode("utf-8")) > MAX_FILE_BYTES:
                continue
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            out.write("# file: " + name + "\n" + text.rstrip("\n") + "\n\n")
            total += len(text)
    print(f"wrote {args.out}: {total} characters", file=sys.stderr)


if __name__ == "__main__":
    main()
