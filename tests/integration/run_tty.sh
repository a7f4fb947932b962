#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run_tty.sh CRRUN MODE PROGRAM: run_tty.py, which needs python3
exec python3 "$(dirname "$0")/run_tty.py" "$@"
