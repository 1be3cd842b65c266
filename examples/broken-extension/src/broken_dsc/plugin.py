"""
A deliberately broken callable extension: it ends the process instead of
returning a fragment.  dnn-supply-chain treats that as a broken extension
too; only Ctrl-C (KeyboardInterrupt) is left to end the program.
"""

import sys


def fragment() -> None:
    """
    Exit instead of returning the fragment.
    """
    sys.exit("a plugin must never end the program")
