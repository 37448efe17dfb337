"""The ``lean-docker`` engine: one LEAN container per run, followed until it exits.

Progress comes from what LEAN itself emits: its console lines (read incrementally from the container's log
stream) and the in-run snapshot it rewrites into ``/Results/<id>.json`` about every 30 s (percent done = last
equity point against the backtest period). At exit, the exit code and LEAN's result files decide the
outcome; LEAN's failure signatures become a failed run with LEAN's own error text.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import docker
from docker.errors import APIError, DockerException, NotFound
from docker.models.containers import Container
from docker.types import Mount

from backtest_core import strategies
from backtest_core.engines.base import EngineAvailability, EngineJob, EngineOutcome, EngineProgress, ProgressSink
from backtest_core.engines.lean_docker import client as docker_client
from backtest_core.engines.lean_docker.spec import (
    ContainerSpec,
    ResourceLimits,
    build_run_spec,
    store_label,
    write_launch_files,
)
from backtest_core.errors import EngineUnavailable, ResultFormatError
from backtest_core.results import read_snapshot, read_verdict
from backtest_core.results.logs import parse_period
from backtest_core.settings import Settings

STOP_GRACE_SECONDS = 60  # lean CLI's `container.stop(timeout=60)`: LEAN gets SIGINT, then a minute to finish
POLL_SECONDS = 0.5
_COMPILE_ERROR = re.compile(r'\*\*\*\s+File "/LeanCLI/([^"]+)", line (\d+)\n(?:.*\n){0,3}?(\w*Error: .*)')


class LeanDockerEngine:
    """Runs LEAN in ``quantconnect/lean`` (or ``BACKTEST_LEAN_IMAGE``) exactly as the lean CLI does."""

    name = "lean-docker"

    def __init__(self, settings: Settings | None = None, stop_grace: int = STOP_GRACE_SECONDS) -> None:
        self.settings = settings or Settings()
        self.stop_grace = stop_grace

    def availability(self) -> EngineAvailability:
        try:
            client = docker_client.connect(timeout=3)
            docker_client.ensure_image(client, self.settings.lean_image)
        except EngineUnavailable as error:
            return EngineAvailability(available=False, message=error.user_message())
        return EngineAvailability(available=True, message=f"Docker is up; image {self.settings.lean_image} present")

    def run(self, job: EngineJob, sink: ProgressSink, cancel: threading.Event) -> EngineOutcome:
        try:
            container = self.start(job)
        except EngineUnavailable as error:
            return EngineOutcome(status="failed", error=error.user_message())
        return self._follow(container, job, sink, cancel)

    def start(self, job: EngineJob) -> Container:
        """Create and start the run's container (EngineUnavailable when Docker or the image is missing)."""
        client = docker_client.connect()
        docker_client.ensure_image(client, self.settings.lean_image)
        return self._start(client, job)

    def reattach(self, job: EngineJob, sink: ProgressSink, cancel: threading.Event) -> EngineOutcome | None:
        """Follow the run's container again after a supervisor restart; None when no container exists."""
        try:
            client = docker_client.connect()
        except EngineUnavailable:
            return None
        container = docker_client.find_container(client, job.run_id, store_label(self.settings.home))
        if container is None:
            return None
        return self._follow(container, job, sink, cancel)

    def _start(self, client: docker.DockerClient, job: EngineJob) -> Container:
        project = strategies.get_strategy(str(job.project_dir), job.project_dir.parent)
        files_dir = job.output_dir / "launcher"
        limits = ResourceLimits(
            memory=self.settings.docker_memory,
            cpus=self.settings.docker_cpus,
            network_mode=self.settings.docker_network,
        )
        spec, files = build_run_spec(
            job,
            image=self.settings.lean_image,
            class_name=project.class_name,
            python_files=project.files,
            files_dir=files_dir,
            store=store_label(self.settings.home),
            limits=limits,
        )
        write_launch_files(files, files_dir)
        _remove_stale(client, spec.name)
        try:
            return client.containers.run(**run_arguments(spec))
        except DockerException as error:
            raise EngineUnavailable(f"Docker could not start the LEAN container: {error}") from error

    def _follow(
        self, container: Container, job: EngineJob, sink: ProgressSink, cancel: threading.Event
    ) -> EngineOutcome:
        console: list[str] = []
        reader = threading.Thread(target=_pump_logs, args=(container, console, sink), daemon=True)
        reader.start()
        tracker = _ProgressTracker(job)
        cancelled = False
        while True:
            if cancel.is_set() and not cancelled:
                cancelled = True
                _stop(container, self.stop_grace)
            if not _is_running(container):
                break
            tracker.report(console, sink)
            reader.join(timeout=POLL_SECONDS)  # the log stream ends when the container exits: no poll delay
        exit_code = _exit_code(container)
        reader.join(timeout=10)
        oom = bool(container.attrs.get("State", {}).get("OOMKilled"))
        _keep_console_log(job.output_dir, console)
        # removed while the supervisor stores the result (a non-daemon thread: the process waits for it)
        threading.Thread(target=_remove, args=(container,), name="remove-container").start()
        if cancelled:
            return EngineOutcome(status="cancelled", error="Cancelled by the user; LEAN was stopped with SIGINT.")
        return _classify(job, exit_code, oom, console)


def run_arguments(spec: ContainerSpec) -> dict[str, object]:
    """Keyword arguments for ``client.containers.run`` from a spec (detached; removed by us, not auto)."""
    arguments: dict[str, object] = {
        "image": spec.image,
        "command": None,
        "name": spec.name,
        "hostname": spec.hostname,
        "labels": spec.labels,
        "entrypoint": spec.entrypoint,
        "working_dir": spec.working_dir,
        "volumes": spec.volumes,
        "mounts": [Mount(m.target, str(m.source), type="bind", read_only=m.read_only) for m in spec.file_mounts],
        "environment": spec.environment,
        "stop_signal": spec.stop_signal,
        "detach": True,
        "tty": False,
        "stdin_open": False,
    }
    if spec.network_mode:
        arguments["network_mode"] = spec.network_mode
    if spec.mem_limit:
        arguments["mem_limit"] = spec.mem_limit
    if spec.nano_cpus:
        arguments["nano_cpus"] = spec.nano_cpus
    return arguments


class _ProgressTracker:
    """Turns LEAN's console lines and in-run snapshots into progress reports, once per new information."""

    def __init__(self, job: EngineJob) -> None:
        self.job = job
        self.start: date | None = job.overrides.start_date
        self.end: date | None = job.overrides.end_date
        self.snapshot_path = job.output_dir / f"{job.algorithm_id}.json"
        self.snapshot_mtime = 0.0
        self.lines_seen = 0

    def report(self, console: list[str], sink: ProgressSink) -> None:
        new_lines = console[self.lines_seen :]
        self.lines_seen += len(new_lines)
        for line in new_lines:
            period = parse_period(line)
            if period is not None:
                self.start, self.end = period
        mtime = self.snapshot_path.stat().st_mtime if self.snapshot_path.exists() else 0.0
        if mtime == self.snapshot_mtime:
            return
        snapshot = read_snapshot(self.snapshot_path)
        if snapshot is None or snapshot.last_time is None:
            return  # caught half-written (or nothing sampled yet): read it on the next poll
        self.snapshot_mtime = mtime
        sink.progress(
            EngineProgress(
                percent=self._percent(snapshot.last_time),
                simulated_time=snapshot.last_time,
                period_start=self.start,
                period_end=self.end,
                equity=snapshot.last_equity,
                statistics=dict(snapshot.runtime_statistics),
            )
        )

    def _percent(self, simulated: datetime) -> float:
        """LEAN's own formula: whole days processed over days in the period (capped below 100 until exit)."""
        if self.start is None or self.end is None:
            return 0.0
        total = (self.end - self.start).days + 1
        start = datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        done = (simulated - start) / timedelta(days=1)
        return max(0.0, min(99.9, 100.0 * done / total))


def _pump_logs(container: Container, console: list[str], sink: ProgressSink) -> None:
    """Read the container's output as it comes, one line at a time, into ``console`` and the sink."""
    for line in _stream_lines(container):
        console.append(line)
        sink.log(line)


def _stream_lines(container: Container) -> Iterator[str]:
    pending = ""
    try:
        for chunk in container.logs(stream=True, follow=True, stdout=True, stderr=True):
            pending += chunk.decode("utf-8", errors="replace")
            *complete, pending = pending.split("\n")
            yield from (line.rstrip("\r") for line in complete)
    except (DockerException, OSError):
        pass  # the container went away; what was read stays
    if pending:
        yield pending


def _is_running(container: Container) -> bool:
    try:
        container.reload()
    except NotFound:
        return False
    return container.status in ("created", "running", "restarting")


def _stop(container: Container, grace: int) -> None:
    """SIGINT (the container's stop signal) lets LEAN write what it has; SIGKILL after ``grace`` seconds."""
    threading.Thread(target=_stop_quietly, args=(container, grace), daemon=True).start()


def _stop_quietly(container: Container, grace: int) -> None:
    with contextlib.suppress(DockerException, OSError):
        container.stop(timeout=grace)


def _exit_code(container: Container) -> int:
    try:
        return int(container.wait(timeout=30).get("StatusCode", -1))
    except (DockerException, OSError):
        return -1


def _remove(container: Container) -> None:
    with contextlib.suppress(NotFound, APIError):
        container.remove(force=True)


def _remove_stale(client: docker.DockerClient, name: str) -> None:
    """A stopped container left with this name (an earlier attempt) would block the new one."""
    try:
        stale = client.containers.get(name)
    except NotFound:
        return
    if stale.status != "running":
        _remove(stale)


def _keep_console_log(output_dir: Path, console: list[str]) -> None:
    """LEAN writes log.txt itself once it starts; when it never did (compile error), keep the console."""
    log = output_dir / "log.txt"
    if not log.exists() and console:
        log.write_text("\n".join(console) + "\n")


def _classify(job: EngineJob, exit_code: int, oom: bool, console: list[str]) -> EngineOutcome:
    """LEAN's failure signatures (reference section 5) to an outcome with LEAN's own error text."""
    try:
        result = read_verdict(job.output_dir / f"{job.algorithm_id}.json")
    except ResultFormatError as error:
        result = None
        problem = error.problem
    else:
        problem = ""
    if result is not None and result.runtime_error:
        return EngineOutcome(status="failed", error=result.runtime_error, traceback=result.stack_trace)
    if exit_code == 0 and result is not None:
        return EngineOutcome(status="completed")
    if exit_code == 137:
        reason = "out of memory (raise BACKTEST_DOCKER_MEMORY)" if oom else "killed (SIGKILL)"
        return EngineOutcome(status="failed", error=f"LEAN was {reason}; exit code 137.")
    text = "\n".join(console)
    compile_error = _COMPILE_ERROR.search(text)
    if compile_error:
        file, line, message = compile_error.groups()
        return EngineOutcome(
            status="failed", error=f"Build Error File: {file} Line {line} - {message}", traceback=text[-4000:]
        )
    errors = [line for line in console if "ERROR::" in line]
    summary = errors[-1].split("ERROR::", 1)[1].strip() if errors else (problem or "no result files were written")
    return EngineOutcome(
        status="failed",
        error=f"LEAN exited with code {exit_code}: {summary}",
        traceback="\n".join(errors[-20:]) or None,
    )
