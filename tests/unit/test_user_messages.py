"""A user-facing error's message and hint read as two sentences on a page, where markdown joins the lines."""

from backtest_core.errors import EngineUnavailable, StudioError


def test_the_message_ends_its_sentence_before_the_hint() -> None:
    error = EngineUnavailable("Docker image x is not present on this machine", "Pull it with `docker pull x`.")
    assert error.user_message() == "Docker image x is not present on this machine.\nPull it with `docker pull x`."


def test_a_message_that_ends_its_sentence_or_has_no_hint_is_kept_as_written() -> None:
    assert EngineUnavailable("No image.", "Pull it.").user_message() == "No image.\nPull it."
    assert (
        StudioError("Docker daemon is not reachable: refused").user_message()
        == "Docker daemon is not reachable: refused"
    )
