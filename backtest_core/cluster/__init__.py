"""Runs on a Dask cluster (``BACKTEST_CLUSTER``): the relay on this machine, the task on the workers.

``protocol`` is what travels between them, ``archive`` packs folders for the trip, ``relay`` follows the
store's cluster runs, ``task`` runs one backtest on a worker, ``control`` starts the relay and reads its
state, ``status`` tells what the cluster offers. Only ``relay``, ``task`` and ``status`` import Dask.
"""
