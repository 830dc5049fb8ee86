"""CPU-heavy work leaves the gevent loop free, with a bounded queue (issue 10).

The pool only engages in a gevent-patched process (``kiosk serve``), so the checks run in a
child interpreter that patches first, as the server does. They count, never time: while the
pool's workers are held busy the loop must still run other greenlets, a request beyond the
queue is refused with ``Busy`` at once, and the server's own background work waits instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()
    import json
    import gevent
    from gevent.monkey import get_original
    from kiosk.services.security import offload
    from kiosk.services import qr

    offload.configure(workers=1, queue=1)
    release = get_original("threading", "Event")()   # a native event: blocks a worker thread
    started = get_original("threading", "Event")()

    def hold():
        started.set()
        release.wait(30)
        return "held"

    ticks = 0
    def ticker():
        global ticks
        while not release.is_set():
            ticks += 1
            gevent.sleep(0.001)

    tick = gevent.spawn(ticker)
    running = gevent.spawn(offload.run_cpu, hold)      # takes the one worker
    while not started.is_set():
        gevent.sleep(0.001)
    queued = gevent.spawn(offload.run_cpu, hold)       # waits in the one queue slot
    gevent.sleep(0)
    try:
        offload.run_cpu(hold)
        refused = False
    except offload.Busy:
        refused = True
    waiting = gevent.spawn(offload.run_cpu_waiting, hold)  # background work is never refused
    gevent.sleep(0)
    ticks_while_busy_start = ticks
    while ticks < ticks_while_busy_start + 20:              # the loop keeps running greenlets
        gevent.sleep(0.001)
    release.set()
    gevent.joinall([running, queued, waiting, tick], timeout=30)
    url = "https://hall.example.gov.cn/g/110000000000000000000000000001"
    print(json.dumps({
        "refused": refused,
        "results": [running.value, queued.value, waiting.value],
        "loop_ran_while_busy": ticks - ticks_while_busy_start >= 20,
        "qr_same": qr.qr_svg_for_request(url) == qr.qr_svg(url) == qr.qr_svg_for_render(url),
        "admitted_after": offload._POOL.admitted,
    }))
    """
)


@pytest.mark.reliability("CPU-heavy requests beyond the pool", "gevent child: 1 worker + 1 queue slot held, a third request, a background render",
                         "the third is refused with Busy (503 系统繁忙) at once, the render waits, the loop keeps running greenlets")
def test_pool_refuses_beyond_its_queue_and_the_loop_keeps_running():
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"refused": True, "results": ["held", "held", "held"], "loop_ran_while_busy": True,
                   "qr_same": True, "admitted_after": 0}
