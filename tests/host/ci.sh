#!/bin/sh
# SPDX-License-Identifier: MIT
# The CI files, parsed (tests/host/ci.py).
exec python3 "$(dirname "$0")/ci.py"
