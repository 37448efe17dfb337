"""Regenerate ``lean_api/lean_names.json``: the public type names of each LEAN namespace Python algorithms import.

The embedded engine names what it lacks: a LEAN name an algorithm uses that the engine does not implement
(``FillModel``, ``TimeZones``) must fail as "not supported", not as a NameError that looks like a typo. This
reads LEAN's C# sources (a git checkout, e.g. the one ``fetch github:QuantConnect/Lean`` brings) for the
public classes, structs, interfaces and enums of every namespace, and keeps those namespaces
``AlgorithmImports`` star-imports plus the ones algorithms import by name.

    .venv/bin/python -m bench.lean_api_names /work/.mirror/QuantConnect+Lean/repo [--rev HEAD]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections import defaultdict
from pathlib import Path

from backtest_core.engines.embedded.lean_names import NAMES_FILE

NAMESPACE = re.compile(r"^\s*namespace\s+([\w.]+)", re.MULTILINE)
TYPE = re.compile(
    r"^\s*public\s+(?:(?:static|abstract|sealed|partial|readonly|unsafe|new)\s+)*(?:class|struct|interface|enum|record)"
    r"\s+(\w+)",
    re.MULTILINE,
)
SKIPPED_FOLDERS = ("Tests/", "Algorithm.CSharp/", "Algorithm.Python/", "ToolBox/", "Research/", "Launcher/")


def read_types(git_dir: Path, rev: str) -> dict[str, set[str]]:
    """Namespace -> public type names (top-level declarations only: indentation of one level or none)."""
    files = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "--name-only", rev],
        check=True, capture_output=True, text=True,
    ).stdout.split("\n")  # fmt: skip
    wanted = [name for name in files if name.endswith(".cs") and not name.startswith(SKIPPED_FOLDERS)]
    request = "".join(f"{rev}:{name}\n" for name in wanted)
    blobs = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"], input=request.encode(), check=True,
        capture_output=True,
    ).stdout  # fmt: skip
    names: dict[str, set[str]] = defaultdict(set)
    position = 0
    while position < len(blobs):
        header_end = blobs.index(b"\n", position)
        header = blobs[position:header_end].split()
        if header[-1] == b"missing":
            position = header_end + 1
            continue
        size = int(header[2])
        text = blobs[header_end + 1 : header_end + 1 + size].decode("utf-8", errors="replace")
        position = header_end + 1 + size + 1
        namespace = NAMESPACE.search(text)
        if namespace is None:
            continue
        for line in text.splitlines():
            match = TYPE.match(line)
            if match and len(line) - len(line.lstrip()) <= 4:  # inside the namespace, not nested in a class
                names[namespace[1]].add(match[1])
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("git_dir", type=Path, help="a LEAN git directory (bare or .git)")
    parser.add_argument("--rev", default="HEAD")
    args = parser.parse_args()
    names = read_types(args.git_dir, args.rev)
    kept = {space: sorted(found) for space, found in sorted(names.items()) if space.startswith("QuantConnect")}
    NAMES_FILE.write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n")
    print(f"{sum(len(v) for v in kept.values())} names in {len(kept)} namespaces -> {NAMES_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
