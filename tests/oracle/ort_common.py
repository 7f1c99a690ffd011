"""What run_model.py and bench_model.py share: opening an ONNX Runtime CPU session the same way."""
import os
import sys

# ONNX Runtime's Linux builds carry Microsoft's 1DS telemetry; the variable must be set before the
# library initialises, so before `import onnxruntime`.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

import onnxruntime as ort  # noqa: E402

OPT_LEVELS = {
    "disabled": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


def add_session_arguments(parser):
    parser.add_argument("--opt", choices=sorted(OPT_LEVELS), default="all",
                        help="ONNX Runtime graph optimisation level (default all)")
    parser.add_argument("--threads", type=int, default=0,
                        help="intra-op threads; 0 keeps ONNX Runtime's default (one per core)")


def open_session(model, opt, threads):
    """A CPU-only session; `threads` > 0 fixes the intra-op pool and runs ops one at a time."""
    if not os.path.isfile(model):
        raise ValueError(f"model file not found: {model}")
    if threads < 0:
        raise ValueError(f"--threads must be >= 0, got {threads}")
    options = ort.SessionOptions()
    options.graph_optimization_level = OPT_LEVELS[opt]
    options.log_severity_level = 3  # errors only: warnings would drown the tests' output
    if threads > 0:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def run_main(main, prog):
    """Runs main(); any error becomes one `prog: message` line on stderr and exit code 1."""
    try:
        main()
    except SystemExit:
        raise
    except BaseException as error:  # noqa: BLE001 - the caller wants the message, whatever it is
        message = str(error).strip() or type(error).__name__
        print(f"{prog}: {message}", file=sys.stderr)
        raise SystemExit(1)
