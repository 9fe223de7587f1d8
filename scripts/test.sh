#!/usr/bin/env bash
# Runs every test of every module against real PostgreSQL, PgBouncer, Redis/Sentinel and SSH servers that the tests
# start themselves on free loopback ports. Installs missing Debian packages first when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_java
ensure_packages "${JC_PACKAGES[@]}"
exec ./mvnw -B -ntp verify "$@"
