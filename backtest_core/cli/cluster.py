"""``cluster status``: the Dask cluster runs go to (``BACKTEST_CLUSTER``): workers, threads, running tasks."""

from __future__ import annotations

import argparse

from backtest_core.cli.output import print_json, print_table
from backtest_core.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser("cluster", help="the Dask cluster runs execute on (BACKTEST_CLUSTER)")
    actions = command.add_subparsers(dest="cluster_command", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="workers, their threads and resources, running tasks")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)


def _status(args: argparse.Namespace) -> int:
    from backtest_core.cluster.status import cluster_status  # Dask only for cluster commands

    status = cluster_status(Settings())
    if args.json:
        print_json(status)
        return 0 if status.reachable else 1
    if not status.reachable:
        print(f"cluster {status.setting}: not reachable\n{status.problem}")
    else:
        docker = len(status.docker_workers)
        print(f"Dask scheduler {status.scheduler}: {len(status.workers)} worker(s), {status.threads} thread(s) "
              f"(= backtests at once), {docker} with Docker")  # fmt: skip
        rows = status.worker_rows()
        if rows:
            print_table(list(rows[0]), [[value or None for value in row.values()] for row in rows])
        if status.problem:
            print(status.problem)
    relay = status.relay
    if status.relay_running and relay is not None:
        state = f"running (pid {relay.pid}): {relay.message} (since {relay.since:%Y-%m-%d %H:%M:%S} UTC)"
    else:
        state = "not running (it starts when a run is queued)"
    print(f"this store: {status.running} running on the cluster, {status.queued} queued; relay {state}")
    return 0 if status.reachable else 1
