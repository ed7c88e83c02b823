"""Verify an environment's stack: `--mode synth` (the template declares what the service needs) or
`--mode deployed` (AWS, or AWS_ENDPOINT_URL, matches it). The checks live in `careervp_infra.verify`.

    verify_aws_state.py --mode synth --env dev [--assembly DIR]
    verify_aws_state.py --mode deployed --env dev [--assembly DIR]
"""

from __future__ import annotations

import sys

from careervp_infra.verify.cli import main

if __name__ == "__main__":
    sys.exit(main())
