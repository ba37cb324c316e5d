#!/usr/bin/env bash
# Read replica: on first start, clone the primary with pg_basebackup (streaming WAL, a physical replication slot,
# standby.signal and primary_conninfo written by -R), then run as a hot standby. Later starts just run.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "replica: cloning the primary"
  export PGPASSWORD="$REPLICATION_PASSWORD"
  until pg_isready -h "$PRIMARY_HOST" -p 5432 -U replicator -q; do sleep 1; done
  pg_basebackup -h "$PRIMARY_HOST" -p 5432 -U replicator -D "$PGDATA" -X stream -R -C -S replica_1 -P
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c max_connections=200
