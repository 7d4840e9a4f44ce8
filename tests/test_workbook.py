"""The notebook runner: a cell that waits out its timeout fails the run, slow cells are reported, and the
kernel client polls in slices so that a missed zmq wake-up cannot stall a cell for the whole timeout."""

from __future__ import annotations

import asyncio
import time
from queue import Empty

import nbformat
import pytest
import zmq
import zmq.asyncio
from nbclient import NotebookClient

from medmeta_lite.workbook.kernel import POLL_SLICE_SECONDS, SlicedPollChannel, SlicedPollKernelManager
from medmeta_lite.workbook.runner import execute_notebook, format_table, slow_cells


def _notebook(folder, *sources):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "probe.ipynb"
    nbformat.write(notebook, path)
    return path


def test_the_runner_uses_sliced_polls_on_every_channel(tmp_path):
    client = NotebookClient(nbformat.read(_notebook(tmp_path, "1"), as_version=4),
                            kernel_manager_class=SlicedPollKernelManager)
    with client.setup_kernel():
        channels = [client.kc.shell_channel, client.kc.iopub_channel, client.kc.stdin_channel]
        assert all(isinstance(channel, SlicedPollChannel) for channel in channels)
    assert 0 < POLL_SLICE_SECONDS <= 1


def test_a_cell_that_waits_out_its_timeout_fails_the_run(tmp_path):
    run = execute_notebook(_notebook(tmp_path, "import time", "time.sleep(120)"), tmp_path / "out",
                           html=False, timeout=6)
    assert "CellTimeoutError" in run.error
    assert "1 failed" in format_table([run], run.seconds)


def test_slow_cells_are_reported(tmp_path):
    run = execute_notebook(_notebook(tmp_path, "import time", "time.sleep(0.6)  # the slow one"),
                           tmp_path / "out", html=False)
    assert run.error == ""
    reported = slow_cells(tmp_path / "out" / "notebooks" / "probe.ipynb", threshold=0.4)
    assert len(reported) == 1 and "time.sleep(0.6)" in reported[0] and reported[0].startswith("cell 2")


def test_sliced_poll_gives_up_after_its_timeout():
    async def wait():
        context = zmq.asyncio.Context()
        socket = context.socket(zmq.DEALER)
        socket.bind("inproc://probe")
        channel = SlicedPollChannel(socket, session=None, loop=None)
        start = time.monotonic()
        try:
            with pytest.raises(Empty):
                await channel.get_msg(timeout=1.2)
        finally:
            socket.close(linger=0)
            context.term()
        return time.monotonic() - start

    assert asyncio.run(wait()) >= 1.2  # it waited the whole timeout, slice after slice
