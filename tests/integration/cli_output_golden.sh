#!/usr/bin/env bash
# When Debian's AWS CLI is installed, regenerates the expected outputs of the
# output-format golden test with awscli's own formatter classes and fails if
# any committed .out file differs (tests/cases/output/generate.py --check).
set -euo pipefail
: "${ECSCTL_SOURCE_DIR:?}"
if ! /usr/bin/python3 -c 'import awscli.formatter, ruamel.yaml, colorama' 2>/dev/null; then
  echo "awscli is not installed for /usr/bin/python3: nothing to compare (the unit test uses the committed files)"
  exit 0
fi
/usr/bin/python3 "$ECSCTL_SOURCE_DIR/tests/cases/output/generate.py" --check "$ECSCTL_SOURCE_DIR/tests/cases/output"
echo "golden outputs agree with awscli"
