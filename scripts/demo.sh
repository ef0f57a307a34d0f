#!/usr/bin/env bash
# One command: install everything and serve the demo county on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/zhili demo "$@"
