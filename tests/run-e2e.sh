#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The engine end to end: tests/run-tier.sh e2e BUILD_DIR [TEST...]
exec sh "$(dirname "$0")/run-tier.sh" e2e "$@"
