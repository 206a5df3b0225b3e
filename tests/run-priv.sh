#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The privileged runtime tests: tests/run-tier.sh priv BUILD_DIR [TEST...]
exec sh "$(dirname "$0")/run-tier.sh" priv "$@"
