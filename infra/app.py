"""The CDK app: `python infra/app.py` (or `cdk synth` from `infra/`) writes the cloud assembly.

The output folder is `CDK_OUTDIR` when set (the CDK CLI and the pipeline set it), else `infra/cdk.out`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from careervp_infra.assembly import SynthesisError, synthesize


def main() -> int:
    outdir = Path(os.environ.get("CDK_OUTDIR") or Path(__file__).resolve().parent / "cdk.out")
    try:
        synthesize(outdir)
    except SynthesisError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
