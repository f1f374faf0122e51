#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries for the workspace tests, once.
# Idempotent and quiet: does nothing when /usr/lib/postgresql/*/bin/initdb is already there.
# The tests start a throwaway cluster of their own (initdb + pg_ctl in a temp dir, on a free
# loopback port) and stop it afterwards; the Debian service itself is not used or enabled.
# Needs root (CI runs as root); without root or apt-get it only explains, and the PostgreSQL
# tests then skip with the reason.
set -u
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-postgres: apt-get not found; PostgreSQL workspace tests will be skipped" >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-postgres: not root; install 'postgresql' to run the PostgreSQL workspace tests" >&2
    exit 0
fi
echo "install-postgres: installing Debian's postgresql (once)" >&2
export DEBIAN_FRONTEND=noninteractive
( apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql ) \
    >/tmp/fukugan-install-postgres.log 2>&1 \
    || echo "install-postgres: apt-get failed (see /tmp/fukugan-install-postgres.log); PostgreSQL tests will be skipped" >&2
# the tests run their own cluster: keep the packaged one from holding port 5432
if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | while read -r ver name _; do
        pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
    done
fi
exit 0
