"""`python -m builder …`"""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl+C while the modules load: no traceback, as later (builder/cli.py)
    print("已中断。", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
