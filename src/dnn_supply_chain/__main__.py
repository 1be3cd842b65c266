"""
``python -m dnn_supply_chain``: the same as the ``dnn-supply-chain`` command.
"""

import sys

from .cli import main


sys.exit(main())
