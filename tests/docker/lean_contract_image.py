"""A local image that honours LEAN's container contract, for testing the Docker engine for real.

No registry is reachable in CI, so the image is assembled from Debian's static busybox with ``docker import``.
Its ``dotnet`` reads the mounted launcher config like LEAN, replays a real LEAN run from the shared fixtures
(console lines over a few seconds, an in-run snapshot midway with status Running and charts cut at the
midpoint, then the final result files named after ``algorithm-id``), exits 0 (or 1 for a failed run), and on
SIGINT shuts down the way LEAN does (a cancellation line, the partial result, exit 0).
Which recording it replays is chosen by the launcher parameter ``replay``; ``replay-pause`` slows it down.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import docker

IMAGE = "backtest-studio/lean-contract:test"
BUSYBOX = Path("/bin/busybox")
APPLETS = (
    "sh",
    "sed",
    "grep",
    "cat",
    "cp",
    "mkdir",
    "echo",
    "printf",
    "usleep",
    "sleep",
    "wc",
    "basename",
    "expr",
    "env",
    "ls",
    "rm",
    "tail",
    "head",
)

# recording name -> (fixture folder, exit code LEAN gave)
RECORDINGS = {
    "completed": ("cli2025-spy-minute-sma-301orders", 0),
    "runtime-error": ("cli2024-ondata-runtimeerror", 1),
}

FAKE_DOTNET = r"""#!/bin/sh
# Stand-in for `dotnet QuantConnect.Lean.Launcher.dll`: reads ./config.json as LEAN's launcher does.
config=./config.json
value() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$config" | head -n 1; }
algorithm_id=$(value algorithm-id)
results=$(value results-destination-folder)
recording=$(value replay)
pause=$(value replay-pause)
[ -n "$recording" ] || recording=completed
[ -n "$pause" ] || pause=20000
dir=/replay/$recording
mkdir -p "$results"

finish() {  # copy the recording's final files, named after this run's algorithm id
    for file in "$dir"/final/*; do
        name=$(basename "$file" | sed "s/ALGOID/$algorithm_id/")
        cp "$file" "$results/$name"
    done
}

on_sigint() {
    line="TRACE:: Program.ExitKeyPress(): Lean instance has been cancelled, shutting down safely now"
    echo "$line"
    echo "$line" >> "$results/log.txt"
    cp "$dir/stopped.json" "$results/$algorithm_id.json"
    exit 0
}
trap on_sigint INT

total=$(wc -l < "$dir/console.txt")
half=$(expr "$total" / 2)
count=0
while IFS= read -r line; do
    echo "$line"
    echo "$line" >> "$results/log.txt"
    count=$(expr "$count" + 1)
    [ "$count" = "$half" ] && cp "$dir/snapshot.json" "$results/$algorithm_id.json"
    [ $(expr "$count" % 10) = 0 ] && usleep "$pause"
done < "$dir/console.txt"
finish
exit $(cat "$dir/exit_code")
"""

FAKE_BASH = '#!/bin/sh\nexec /bin/sh "$@"\n'
FAKE_PYTHON = """#!/bin/sh
# `python -m compileall ...` as the lean CLI's start script calls it: the files must exist.
shift 2
for target in "$@"; do
    [ "$target" = "-q" ] && continue
    [ -f "$target" ] || { echo "Can't list '$target'"; exit 1; }
done
"""


def build_image(client: docker.DockerClient, fixtures: Path, workdir: Path) -> str:
    """Assemble the root file system in ``workdir`` and import it as :data:`IMAGE`."""
    root = workdir / "rootfs"
    if root.exists():
        shutil.rmtree(root)
    for folder in ("bin", "usr/bin", "tmp", "Lean/Launcher/bin/Debug", "Results", "replay"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy2(BUSYBOX, root / "bin/busybox")
    for applet in APPLETS:
        (root / "bin" / applet).symlink_to("busybox")
    (root / "usr/bin/env").symlink_to("/bin/busybox")
    _script(root / "bin/bash", FAKE_BASH)
    _script(root / "usr/bin/python", FAKE_PYTHON)
    _script(root / "usr/bin/dotnet", FAKE_DOTNET)
    for name, (folder, exit_code) in RECORDINGS.items():
        prepare_recording(fixtures / folder, root / "replay" / name, exit_code)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        tar.add(root, arcname=".")
    archive.seek(0)
    client.api.import_image_from_data(
        archive.read(),
        repository=IMAGE.split(":")[0],
        tag=IMAGE.split(":")[1],
        changes=[
            "WORKDIR /Lean/Launcher/bin/Debug",
            'ENTRYPOINT ["dotnet", "QuantConnect.Lean.Launcher.dll"]',
            "ENV PATH=/usr/bin:/bin",
        ],
    )
    return IMAGE


def prepare_recording(fixture: Path, target: Path, exit_code: int) -> None:
    """Console lines, a midway snapshot, the partial result after SIGINT, and the final files."""
    algorithm_id = str(json.loads((fixture / "config").read_text())["id"])
    (target / "final").mkdir(parents=True)
    (target / "console.txt").write_text((fixture / "log.txt").read_text())
    (target / "exit_code").write_text(str(exit_code))
    for file in fixture.iterdir():
        if file.name.startswith(algorithm_id):
            shutil.copy2(file, target / "final" / file.name.replace(algorithm_id, "ALGOID"))
    final = json.loads((fixture / f"{algorithm_id}.json").read_text())
    (target / "snapshot.json").write_text(json.dumps(in_run_snapshot(final, "Running")))
    (target / "stopped.json").write_text(json.dumps(in_run_snapshot(final, "Completed")))


def in_run_snapshot(final: dict, status: str) -> dict:
    """What LEAN rewrites mid-run: charts up to the midpoint, runtime statistics, no statistics yet."""
    charts = final.get("charts") or {}
    times = [
        point[0] if isinstance(point, list) else point["x"]
        for chart in charts.values()
        for series in chart.get("series", {}).values()
        for point in series.get("values", [])
    ]
    midpoint = (min(times) + max(times)) / 2 if times else 0
    cut = {}
    for chart_name, chart in charts.items():
        series_cut = {}
        for series_name, series in chart.get("series", {}).items():
            values = [p for p in series.get("values", []) if (p[0] if isinstance(p, list) else p["x"]) <= midpoint]
            series_cut[series_name] = {**series, "values": values}
        cut[chart_name] = {**chart, "series": series_cut}
    state = {**final.get("state", {}), "Status": status, "RuntimeError": "", "StackTrace": ""}
    return {
        "rollingWindow": {},
        "charts": cut,
        "orders": {},
        "profitLoss": {},
        "statistics": {},
        "runtimeStatistics": final.get("runtimeStatistics", {}),
        "state": state,
    }


def _script(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)
