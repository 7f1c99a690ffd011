"""(4) One session, four Python threads: run() releases the GIL, so the threads give the serial
results in less wall time than the same runs one after another."""

import threading
import time

import numpy as np

import flowonnx
from models import matmul_chain_model

RUNS_PER_THREAD = 6
THREADS = 4


def test_threads_share_one_session():
    options = flowonnx.SessionOptions()
    options.intra_op_num_threads = 1  # each run on one core: the threads bring the parallelism
    session = flowonnx.InferenceSession(matmul_chain_model(512, 12), sess_options=options)
    feeds = [np.random.default_rng(i).standard_normal((64, 512)).astype(np.float32)
             for i in range(THREADS)]
    session.run(None, {"x": feeds[0]})  # warm up (buffer pools, first-touch)

    start = time.perf_counter()
    serial = [[session.run(None, {"x": feeds[t]})[0] for _ in range(RUNS_PER_THREAD)]
              for t in range(THREADS)]
    serial_s = time.perf_counter() - start

    results = [None] * THREADS
    barrier = threading.Barrier(THREADS + 1)

    def work(t):
        barrier.wait()
        results[t] = [session.run(None, {"x": feeds[t]})[0] for _ in range(RUNS_PER_THREAD)]

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    parallel_s = time.perf_counter() - start

    for t in range(THREADS):
        for run in range(RUNS_PER_THREAD):
            np.testing.assert_array_equal(results[t][run], serial[t][run])
    print(f"serial {serial_s * 1e3:.1f} ms, {THREADS} threads {parallel_s * 1e3:.1f} ms")
    assert parallel_s < serial_s, (serial_s, parallel_s)
