#!/usr/bin/env bash
# Install zhili into .venv from the lock files and build the front-end assets.
# Usage: scripts/install.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
lock=requirements.lock
[ "${1:-}" = "dev" ] && lock=requirements-dev.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$lock"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
.venv/bin/zhili assets
