#!/bin/sh
# SPDX-License-Identifier: MIT
# The documentation's links and anchors resolve; the README is a front page (tests/host/docs.py).
exec python3 "$(dirname "$0")/docs.py"
