#!/usr/bin/env bash
# Nightly dump of the talentplan database: pg_dump custom format, checked by pg_restore --list, old dumps pruned.
#   DATABASE_URL=postgres://user@host:5432/talentplan BACKUP_DIR=/srv/talentplan/backups KEEP_DAYS=30 deploy/backup.sh
# Prints the path of the new dump. Media (evidence files) live on the shared storage and are backed up with it.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL is not set}"
BACKUP_DIR="${BACKUP_DIR:-/srv/talentplan/backups}"
KEEP_DAYS="${KEEP_DAYS:-30}"
umask 077
mkdir -p "$BACKUP_DIR"

stamp="$(date +%Y%m%d-%H%M%S)"
target="$BACKUP_DIR/talentplan-$stamp.dump"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --dbname="$DATABASE_URL" --format=custom --compress=6 --no-owner --no-privileges --file="$partial"
# A dump that pg_restore cannot list is no backup: fail loudly instead of keeping it.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$target"
trap - EXIT

find "$BACKUP_DIR" -maxdepth 1 -name 'talentplan-*.dump' -type f -mtime +"$KEEP_DAYS" -delete
echo "$target"
