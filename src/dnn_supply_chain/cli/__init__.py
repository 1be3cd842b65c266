"""
The ``dnn-supply-chain`` command.

Exit status: 0 on success, 2 on a usage error or an unknown id (the message
and any suggestion on standard error, never a traceback), 1 when the
bundled data itself is broken.
"""

from ._main import main


__all__ = ["main"]
