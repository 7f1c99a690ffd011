"""(4) One session, four Python threads: run() releases the GIL, so the threads give the serial
results in less wall time than the same runs one after another (where the machine has a second
core to give: a calibration with hashlib, which releases the GIL too, tells)."""

import hashlib
import threading
import time

import numpy as np
import pytest

import flowonnx
from models import matmul_chain_model

RUNS_PER_THREAD = 6
THREADS = 4


def wall_time(threads, work):
    """Wall time of `work(i)` on `threads` threads started together."""
    barrier = threading.Barrier(threads + 1)

    def body(i):
        barrier.wait()
        work(i)

    pool = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    return time.perf_counter() - start


def parallel_speedup_available():
    """Serial / parallel wall time of GIL-free work (sha256 of 8 MiB) on THREADS threads."""
    data = bytes(8 << 20)
    serial = wall_time(1, lambda i: [hashlib.sha256(data).digest() for _ in range(THREADS)])
    parallel = wall_time(THREADS, lambda i: hashlib.sha256(data).digest())
    return serial / parallel


@pytest.fixture(scope="module")
def session():
    options = flowonnx.SessionOptions()
    options.intra_op_num_threads = 1  # each run on one core: the threads bring the parallelism
    return flowonnx.InferenceSession(matmul_chain_model(512, 12), sess_options=options)


FEEDS = [np.random.default_rng(i).standard_normal((64, 512)).astype(np.float32)
         for i in range(THREADS)]


def test_threads_give_the_serial_results_faster(session):
    session.run(None, {"x": FEEDS[0]})  # warm up (buffer pools, first touch)
    start = time.perf_counter()
    serial = [[session.run(None, {"x": FEEDS[t]})[0] for _ in range(RUNS_PER_THREAD)]
              for t in range(THREADS)]
    serial_s = time.perf_counter() - start

    results = [None] * THREADS

    def work(t):
        results[t] = [session.run(None, {"x": FEEDS[t]})[0] for _ in range(RUNS_PER_THREAD)]

    parallel_s = wall_time(THREADS, work)
    for t in range(THREADS):
        for run in range(RUNS_PER_THREAD):
            np.testing.assert_array_equal(results[t][run], serial[t][run])
    available = parallel_speedup_available()
    print(f"serial {serial_s * 1e3:.1f} ms, {THREADS} threads {parallel_s * 1e3:.1f} ms "
          f"(speedup {serial_s / parallel_s:.2f}; GIL-free calibration {available:.2f})")
    if available < 1.5:
        pytest.skip(f"this machine gives no second core now (calibration speedup {available:.2f}); "
                    "test_run_releases_the_gil still shows the runs overlap")
    assert parallel_s < serial_s, (serial_s, parallel_s)


def test_run_releases_the_gil(session):
    """While another thread is inside run(), this thread keeps running Python code."""
    intervals = []

    def runner(_):
        for _ in range(RUNS_PER_THREAD):
            start = time.perf_counter()
            session.run(None, {"x": FEEDS[0]})
            intervals.append((start, time.perf_counter()))

    thread = threading.Thread(target=runner, args=(0,))
    ticks = []
    thread.start()
    while thread.is_alive():
        ticks.append(time.perf_counter())
    thread.join()
    inside = sum(1 for t in ticks if any(a < t < b for a, b in intervals))
    assert inside > 0.5 * len(ticks) > 0, (inside, len(ticks))
