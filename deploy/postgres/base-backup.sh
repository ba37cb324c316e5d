#!/usr/bin/env bash
# Base backup of the primary into /backups/<UTC timestamp>/ (tar, compressed, WAL included), keeping the newest
# $BACKUP_KEEP. Together with the WAL archive (/archive, written by archive_command every <= 5 minutes) it restores to
# any point in time after the oldest kept backup. Run nightly: `docker compose --profile backup run --rm backup`.
set -euo pipefail
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
export PGPASSWORD="$REPLICATION_PASSWORD"
pg_basebackup -h "$PRIMARY_HOST" -p 5432 -U replicator -D "/backups/$stamp" -Ft -z -X fetch --checkpoint=fast
echo "base backup written to /backups/$stamp"
ls -1d /backups/*/ | sort | head -n "-${BACKUP_KEEP:-7}" | xargs -r rm -rf
