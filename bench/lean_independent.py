"""LEAN's regression algorithms outside ``../shared/lean-regression/``: the independent check of the embedded engine.

The shared set (65 algorithms) is what the engine was built against; this runs the rest of LEAN's Python
regression suite, read straight from a LEAN git directory (the ``fetch`` tool's mirror), so that a behaviour
implemented to fit the shared set's numbers rather than from LEAN's sources shows up here. The selection is
LEAN's own (``Tests/RegressionTests.cs``): every non-abstract C# class of ``Algorithm.CSharp/`` that declares
``ExpectedStatistics``, whose ``Languages`` include Python, that has a Python twin of the same name in
``Algorithm.Python/``, and that is not in the shared set. A class LEAN marks ``CanRunLocally = false`` (its data
is not in LEAN's ``Data/``, which ``../shared/lean-data/`` copies) is NO DATA without a run. Each algorithm
(with the sibling files of ``Algorithm.Python/`` it imports, as a lean CLI project) is written to a temporary
folder, run and judged by ``bench.lean_regression`` (same runner, parameters and classification).

    .venv/bin/python -m bench.lean_independent --lean /work/.mirror/QuantConnect+Lean/repo --list
    .venv/bin/python -m bench.lean_independent --lean DIR --jobs 1 --timeout 120 --write INDEPENDENT.md
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from backtest_core.settings import PROJECT_ROOT, Settings
from bench.lean_regression import (
    DEFAULT_TIMEOUT_S,
    LAUNCHER_PARAMETERS,
    Case,
    Result,
    Verdict,
    regression_dir,
    run_cases,
)

SHARED_COMMIT = "24863901deffa9ec7985e21ef8fbdb0258efb9e4"  # the commit of ../shared/lean-regression and lean-data
VERDICTS: tuple[Verdict, ...] = ("MATCH", "REFUSED", "DIVERGED", "CRASHED", "NO DATA")
_CLASS = re.compile(r"^(?P<indent>[ \t]*)(?:[\w]+\s+)*class\s+(?P<name>\w+)(?:<[^>]*>)?(?:\s*:\s*(?P<bases>[^{]+))?",
                    re.MULTILINE)  # fmt: skip
_HEADER = re.compile(
    r"ExpectedStatistics\s*=>\s*new(?:\s+Dictionary\s*<\s*string\s*,\s*string\s*>)?"
    r"\s*(?:\(\s*\))?\s*(?P<end>[{;])"
)
_ENTRY = re.compile(  # {"key", "value"} or {"key", string.Empty}
    r'\{\s*"(?P<key>(?:[^"\\]|\\.)*)"\s*,\s*'
    r'(?:"(?P<value>(?:[^"\\]|\\.)*)"|(?P<empty>string\.Empty))\s*\}'
)
_DATA_POINTS = re.compile(r"\blong\s+DataPoints\s*(?:=>|\{\s*get;\s*\}\s*=)\s*(?P<n>\d+)")
_HISTORY_POINTS = re.compile(r"\bint\s+AlgorithmHistoryDataPoints\s*(?:=>|\{\s*get;\s*\}\s*=)\s*(?P<n>\d+)")
_STATUS = re.compile(r"\bAlgorithmStatus\s+AlgorithmStatus\s*(?:=>|\{\s*get;\s*\}\s*=)\s*AlgorithmStatus\.(?P<s>\w+)")
_LOCAL = re.compile(r"\bbool\s+CanRunLocally\s*(?:=>|\{\s*get;\s*\}\s*=)\s*(?P<b>true|false)")
_LANGUAGES = re.compile(r"\bLanguages\s*\{\s*get;\s*\}\s*=\s*(?P<list>[^;]+);")
_IMPORT = re.compile(r"^\s*(?:from\s+(?P<from>\w+)\s+import|import\s+(?P<plain>\w+))", re.MULTILINE)


@dataclass(frozen=True)
class Declared:
    """What a C# regression class declares for LEAN's harness; None where it (and its bases) say nothing."""

    expected: dict[str, str] | None  # None: not declared, or built by code
    declares_statistics: bool | None
    data_points: int | None
    history_data_points: int | None
    status: str | None
    can_run_locally: bool | None
    python: bool | None
    abstract: bool


@dataclass(frozen=True)
class Candidate:
    """A Python regression algorithm of LEAN with its C# twin's declarations (inherited ones filled in)."""

    name: str
    expected: dict[str, str]
    data_points: int
    history_data_points: int
    status: str
    can_run_locally: bool


def parse_statistics(body: str) -> dict[str, str] | None:
    """The string->string ``ExpectedStatistics`` dictionary literal in ``body``, in LEAN's order; None if the class
    builds it by code (then its figures are not known without running C#)."""
    header = _HEADER.search(body)
    if header is None:
        return None
    if header["end"] == ";":
        return {}
    end = _closing_brace(body, header.end() - 1)
    literal = body[header.end() : end]
    if _ENTRY.sub("", literal).replace(",", "").strip():
        return None
    return {_unescape(m["key"]): "" if m["empty"] else _unescape(m["value"]) for m in _ENTRY.finditer(literal)}


def parse_class(body: str, abstract: bool) -> Declared:
    """One class's own declarations (``body`` is its text, up to the next class at its level)."""

    def number(pattern: re.Pattern[str]) -> int | None:
        found = pattern.search(body)
        return int(found["n"]) if found else None

    status = _STATUS.search(body)
    local = _LOCAL.search(body)
    languages = _LANGUAGES.search(body)
    return Declared(
        expected=parse_statistics(body),
        declares_statistics=True if "ExpectedStatistics" in body else None,
        data_points=number(_DATA_POINTS),
        history_data_points=number(_HISTORY_POINTS),
        status=status["s"] if status else None,
        can_run_locally=local["b"] == "true" if local else None,
        python="Language.Python" in languages["list"] if languages else None,
        abstract=abstract,
    )


def parse_classes(source: str) -> dict[str, tuple[Declared, str | None]]:
    """Every class a C# file declares: its declarations and its first base class's name."""
    found = list(_CLASS.finditer(source))
    classes: dict[str, tuple[Declared, str | None]] = {}
    for index, match in enumerate(found):
        indent = len(match["indent"].expandtabs())
        end = next((m.start() for m in found[index + 1 :] if len(m["indent"].expandtabs()) <= indent), len(source))
        bases = (match["bases"] or "").split(",")
        base = bases[0].strip().split("<")[0].split(".")[-1] or None
        abstract = "abstract" in match.group(0).split("class")[0].split()
        classes[match["name"]] = (parse_class(source[match.start() : end], abstract), base)
    return classes


def resolve(name: str, classes: dict[str, tuple[Declared, str | None]]) -> Declared:
    """A class's declarations with what it leaves out taken from its base classes, as C# inheritance gives them
    (a class that declares its statistics by code does not inherit a base's literal)."""
    merged, base = classes[name]
    seen = {name}
    while base in classes and base not in seen:
        seen.add(base)
        inherited, base = classes[base]
        own_statistics = merged.declares_statistics is not None
        merged = replace(
            merged,
            expected=merged.expected if own_statistics else inherited.expected,
            declares_statistics=merged.declares_statistics if own_statistics else inherited.declares_statistics,
            **{
                key: getattr(merged, key) if getattr(merged, key) is not None else getattr(inherited, key)
                for key in ("data_points", "history_data_points", "status", "can_run_locally", "python")
            },
        )
    return merged


def _closing_brace(text: str, open_brace: int) -> int:
    depth = 0
    in_string = False
    for index in range(open_brace, len(text)):
        char = text[index]
        if in_string:
            if char == "\\":
                continue
            if char == '"' and text[index - 1] != "\\":
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    return len(text)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class LeanTree:
    """The files of one commit of a LEAN git directory (bare, as the ``fetch`` tool mirrors it)."""

    def __init__(self, git_dir: Path, commit: str) -> None:
        self.git_dir = git_dir
        self.commit = self._git("rev-parse", f"{commit}^{{commit}}").strip()
        self._files: dict[str, str] = {}

    @classmethod
    def open(cls, git_dir: Path) -> LeanTree:
        """The shared set's commit if the mirror has it (the same LEAN as the data), else HEAD."""
        has = subprocess.run(["git", "-C", str(git_dir), "cat-file", "-e", f"{SHARED_COMMIT}^{{commit}}"],
                             capture_output=True, check=False)  # fmt: skip
        return cls(git_dir, SHARED_COMMIT if has.returncode == 0 else "HEAD")

    def _git(self, *args: str, stdin: bytes | None = None) -> str:
        done = subprocess.run(["git", "-C", str(self.git_dir), *args], input=stdin, capture_output=True, check=True)
        return done.stdout.decode(errors="replace")

    def paths(self, folder: str) -> list[str]:
        return self._git("ls-tree", "-r", "--name-only", self.commit, folder).splitlines()

    def read_all(self, paths: list[str]) -> dict[str, str]:
        """Many files in one ``git cat-file --batch``."""
        wanted = [path for path in paths if path not in self._files]
        if wanted:
            request = "".join(f"{self.commit}:{path}\n" for path in wanted).encode()
            out = subprocess.run(["git", "-C", str(self.git_dir), "cat-file", "--batch"], input=request,
                                 capture_output=True, check=True).stdout  # fmt: skip
            position = 0
            for path in wanted:
                header_end = out.index(b"\n", position)
                size = int(out[position:header_end].split()[2])
                self._files[path] = out[header_end + 1 : header_end + 1 + size].decode(errors="replace")
                position = header_end + 1 + size + 1
        return {path: self._files[path] for path in paths}


@dataclass(frozen=True)
class Selection:
    candidates: list[Candidate]
    python_files: dict[str, str]  # module name -> source, every top-level file of Algorithm.Python
    skipped: Counter[str]


def select(tree: LeanTree, shared_names: set[str]) -> Selection:
    """LEAN's Python regression tests (as ``RegressionTests.cs`` picks them) not in the shared set."""
    cs_paths = [path for path in tree.paths("Algorithm.CSharp") if path.endswith(".cs")]
    classes: dict[str, tuple[Declared, str | None]] = {}
    for source in tree.read_all(cs_paths).values():
        classes.update(parse_classes(source))
    py_paths = [path for path in tree.paths("Algorithm.Python") if path.endswith(".py") and path.count("/") == 1]
    python_files = {Path(path).stem: text for path, text in tree.read_all(py_paths).items()}
    candidates, skipped = [], Counter[str]()
    for name in sorted(classes):
        declared = resolve(name, classes)
        if declared.abstract or not declared.declares_statistics or name not in python_files:
            continue
        if name in shared_names:
            skipped["in the shared set"] += 1
        elif declared.python is False:
            skipped["C# only (Languages has no Python)"] += 1
        elif declared.expected is None or declared.data_points is None or declared.history_data_points is None:
            skipped["statistics or data points not literal"] += 1
        else:
            status = declared.status or "Completed"
            candidates.append(Candidate(name, declared.expected, declared.data_points, declared.history_data_points,
                                        status, declared.can_run_locally is not False))  # fmt: skip
    return Selection(candidates, python_files, skipped)


def local_imports(name: str, python_files: dict[str, str]) -> list[str]:
    """The sibling modules of ``Algorithm.Python`` an algorithm imports, directly or through each other."""
    found: list[str] = []
    pending = [name]
    while pending:
        for match in _IMPORT.finditer(python_files[pending.pop()]):
            module = match["from"] or match["plain"]
            if module in python_files and module != name and module not in found:
                found.append(module)
                pending.append(module)
    return found


def write_project(candidate: Candidate, python_files: dict[str, str], folder: Path) -> Path:
    """The algorithm as a lean CLI project: ``main.py`` and the files it imports under their own names."""
    project = folder / candidate.name
    project.mkdir(parents=True, exist_ok=True)
    (project / "main.py").write_text(python_files[candidate.name])
    for module in local_imports(candidate.name, python_files):
        (project / f"{module}.py").write_text(python_files[module])
    return project


def no_data(candidate: Candidate, project: Path) -> Result:
    case = _case(candidate, project)
    return Result(case, "NO DATA", "LEAN's CanRunLocally is false: its data is not in LEAN's Data/", 0.0)


def _case(candidate: Candidate, project: Path) -> Case:
    return Case(candidate.name, project, candidate.expected, candidate.data_points, candidate.history_data_points,
                dict(LAUNCHER_PARAMETERS), candidate.status)  # fmt: skip


def report(results: list[Result], tree: LeanTree, selection: Selection, timeout_s: float) -> str:
    """INDEPENDENT.md: how the set was chosen, the counts, and each algorithm's verdict and reason."""
    total = Counter(result.verdict for result in results)
    skipped = "; ".join(f"{reason}: {count}" for reason, count in sorted(selection.skipped.items()))
    lines = [
        "# Embedded engine fidelity: an independent set of LEAN's regression algorithms",
        "",
        "Written by `.venv/bin/python -m bench.lean_independent --lean <LEAN git dir> --write INDEPENDENT.md` "
        f"from LEAN commit `{tree.commit}` (the commit of `../shared/lean-regression/` and "
        "`../shared/lean-data/`). The set is LEAN's own Python regression tests as `Tests/RegressionTests.cs` "
        "picks them (a C# class of `Algorithm.CSharp/` declaring `ExpectedStatistics`, Python in its "
        "`Languages`, a Python twin of the same name in `Algorithm.Python/`) minus the 65 of the shared set; "
        f"left out: {skipped}. Each runs as a lean CLI project in a temporary folder through the embedded "
        "engine over `../shared/lean-data/` with LEAN's launcher parameters (`ema-fast=10`, `ema-slow=20`), "
        f"{timeout_s:.0f} s at most, and is judged by `bench/lean_regression.py` as LEAN's harness judges: "
        "every expected statistic equal as a string (`-0` = `0`) and both data-point counts equal. NO DATA: "
        "LEAN marks the algorithm `CanRunLocally = false` (its data is not in LEAN's `Data/`).",
        "",
        "| " + " | ".join(VERDICTS) + " | total |",
        "|" + "---:|" * (len(VERDICTS) + 1),
        "| " + " | ".join(str(total[verdict]) for verdict in VERDICTS) + f" | {len(results)} |",
        "",
        "| algorithm | class | reason |",
        "|---|---|---|",
    ]
    lines += [f"| {r.case.name} | {r.verdict} | {_short(r)} |" for r in results]
    return "\n".join(lines) + "\n"


def _short(result: Result, differences: int = 3) -> str:
    """The reason, with a DIVERGED algorithm's first differences only."""
    if result.differences:
        more = len(result.differences) - differences
        text = "; ".join(result.differences[:differences]) + (f"; and {more} more" if more > 0 else "")
    else:
        text = result.reason
    return text.replace("|", "/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lean", type=Path, required=True, help="LEAN git directory (the fetch tool's mirror)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these algorithms (names or prefixes)")
    parser.add_argument("--limit", type=int, default=None, help="run only the first N of the selection")
    parser.add_argument("--list", action="store_true", help="print the selection and stop")
    parser.add_argument("--jobs", type=int, default=1, help="engine processes at once")
    parser.add_argument("--data", type=Path, default=None, help="LEAN data folder (default: ../shared/lean-data)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the projects and result folders here")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per algorithm")
    parser.add_argument("--write", type=Path, default=None, help="write the report (INDEPENDENT.md)")
    parser.add_argument("--results", type=Path, default=None, help="also write the verdicts as JSON here")
    args = parser.parse_args(argv)
    tree = LeanTree.open(args.lean)
    shared = {entry["name"] for entry in json.loads((regression_dir() / "expected.json").read_text())}
    selection = select(tree, shared)
    candidates = selection.candidates
    if args.only:
        candidates = [c for c in candidates if any(c.name.startswith(prefix) for prefix in args.only)]
    if args.limit is not None:
        candidates = candidates[: args.limit]
    print(f"LEAN {tree.commit}: {len(selection.candidates)} selected; {dict(selection.skipped)}", file=sys.stderr)
    if args.list:
        for candidate in candidates:
            print(f"{candidate.name}{'' if candidate.can_run_locally else '  (CanRunLocally false)'}")
        return 0
    data_dir = args.data or Settings().shared / "lean-data"
    print_lock = threading.Lock()

    def progress(result: Result) -> None:
        with print_lock:
            print(f"{result.verdict:<8} {result.case.name} ({result.seconds:.1f} s)", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="lean-independent-") as scratch:
        folder = args.keep or Path(scratch)
        projects = {c.name: write_project(c, selection.python_files, folder / "algorithms") for c in candidates}
        runnable = [_case(c, projects[c.name]) for c in candidates if c.can_run_locally]
        ran = {r.case.name: r for r in run_cases(runnable, data_dir, folder / "out", args.jobs, args.timeout, progress)}
    results = [ran.get(c.name) or no_data(c, projects[c.name]) for c in candidates]
    for result in results:
        print(f"{result.verdict:<8} {result.case.name}: {_short(result)}")
    total = Counter(result.verdict for result in results)
    print("  ".join(f"{verdict} {total[verdict]}" for verdict in VERDICTS) + f"  (of {len(results)})")
    if args.results:
        rows = [{"name": r.case.name, "verdict": r.verdict, "reason": r.reason, "seconds": round(r.seconds, 1),
                 "differences": r.differences} for r in results]  # fmt: skip
        args.results.write_text(json.dumps(rows, indent=1))
    if args.write:
        path = args.write if args.write.is_absolute() else PROJECT_ROOT / args.write
        path.write_text(report(results, tree, selection, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
