"""The Docker daemon as this app uses it: connect, check the image, find a run's container.

Every failure becomes :class:`EngineUnavailable` with what to do, never a docker-py traceback.
"""

from __future__ import annotations

import docker
from docker.errors import DockerException, ImageNotFound, NotFound
from docker.models.containers import Container

from backtest_core.engines.lean_docker.spec import LABEL_RUN, LABEL_STORE, container_name
from backtest_core.errors import EngineUnavailable

DAEMON_HINT = (
    "Start the Docker daemon (e.g. `sudo systemctl start docker`, or `dockerd &`) and check that this user may "
    "use it (`docker info`); DOCKER_HOST selects another daemon. The embedded engine needs no Docker."
)


def connect(timeout: int = 10) -> docker.DockerClient:
    """A client for the daemon in the environment (DOCKER_HOST or the default socket), checked with a ping."""
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except DockerException as error:
        raise EngineUnavailable(f"Docker daemon is not reachable: {_reason(error)}", DAEMON_HINT) from error
    return client


def ensure_image(client: docker.DockerClient, image: str) -> None:
    """Fail clearly when the LEAN image is not on this machine (runs never pull on their own)."""
    try:
        client.images.get(image)
    except ImageNotFound as error:
        raise EngineUnavailable(
            f"Docker image {image} is not present on this machine",
            f"Pull it with `docker pull {image}` (or set BACKTEST_LEAN_IMAGE to an image you have).",
        ) from error
    except DockerException as error:
        raise EngineUnavailable(f"Docker daemon failed to look up {image}: {_reason(error)}", DAEMON_HINT) from error


def find_container(client: docker.DockerClient, run_id: str, store: str) -> Container | None:
    """The container of ``run_id`` in this store, running or stopped, if it still exists."""
    try:
        container = client.containers.get(container_name(run_id))
    except NotFound:
        return None
    labels = container.labels or {}
    if labels.get(LABEL_RUN) != run_id or labels.get(LABEL_STORE) != store:
        return None
    return container


def _reason(error: DockerException) -> str:
    text = str(error)
    if "FileNotFoundError" in text or "No such file or directory" in text:
        return "no Docker socket found"
    if "Connection refused" in text or "ConnectionRefused" in text:
        return "connection refused"
    if "Permission denied" in text:
        return "permission denied on the Docker socket"
    return text.splitlines()[0][:300] if text else type(error).__name__
