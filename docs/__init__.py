"""
The documentation's tests (see ``conftest.py``).

This file makes ``docs`` a package, so that pytest imports
``docs/conftest.py`` as ``docs.conftest``.  Without it, both
``tests/conftest.py`` and ``docs/conftest.py`` would be the module
``conftest``, and the second one imported would hide the first from the
tests that import it.
"""
