#!/usr/bin/env bash
# Restore a dump written by backup.sh into a database (created if missing). Refuses a non-empty database unless
# --force (then its objects are dropped first). Run with the application stopped, then `manage.py migrate`.
#   deploy/restore.sh DUMP postgres://user@host:5432/talentplan_restore [--force]
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 DUMP DATABASE_URL [--force]" >&2
  exit 2
fi
dump="$1"
target="$2"
force="${3:-}"

[ -r "$dump" ] || { echo "restore: cannot read $dump" >&2; exit 2; }
pg_restore --list "$dump" >/dev/null || { echo "restore: $dump is not a readable pg_dump archive" >&2; exit 2; }

dbname="${target##*/}"
dbname="${dbname%%\?*}"
server="${target%/*}/postgres"
if ! psql "$server" -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'" | grep -q 1; then
  psql "$server" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$dbname\""
fi

tables="$(psql "$target" -tAc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")"
if [ "$tables" != "0" ] && [ "$force" != "--force" ]; then
  echo "restore: database $dbname already has $tables tables; add --force to replace them" >&2
  exit 3
fi

clean=()
[ "$force" = "--force" ] && clean=(--clean --if-exists)
pg_restore --dbname="$target" --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" "$dump"
echo "restored $dump into $dbname"
