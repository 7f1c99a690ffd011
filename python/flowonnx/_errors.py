"""Exceptions raised by flowonnx.

Each C++ error code has a class that derives from :class:`Error` and from the builtin that fits
(an invalid argument is a ``ValueError``, a missing file a ``FileNotFoundError``), so callers can
catch either. The names follow ONNX Runtime's (``InvalidArgument``, ``NoSuchFile``,
``NotImplemented``, ``InvalidGraph``).
"""

from . import _flowonnx


class Error(RuntimeError):
    """Base class of every error flowonnx raises."""


class InvalidArgument(Error, ValueError):
    """A bad argument: wrong input name, dtype, rank or shape, unknown option, bad state dict."""


class InvalidGraph(Error, ValueError):
    """The model (an .onnx file, a checkpoint) is malformed or inconsistent."""


class NotImplemented(Error, NotImplementedError):  # noqa: A001 (ONNX Runtime's name)
    """Something valid that flowonnx does not support (an op, a dtype, an opset)."""


class IoError(Error, OSError):
    """A file could not be read or written."""


class NoSuchFile(IoError, FileNotFoundError):
    """A file that does not exist."""


class InternalError(Error):
    """A broken invariant inside flowonnx: a bug, please report it."""


class CheckFailed(Error, AssertionError):
    """convert_to_onnx_and_check found outputs of the ONNX model outside tolerance."""


_flowonnx._set_error_types(
    {
        "InvalidArgument": InvalidArgument,
        "InvalidModel": InvalidGraph,
        "NotImplemented": NotImplemented,
        "IoError": IoError,
        "Internal": InternalError,
    }
)
