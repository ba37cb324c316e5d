#!/usr/bin/env bash
# First start of the primary only (docker-entrypoint-initdb.d): the application role that owns the schema, and a
# replication role the read replica and base backups connect with.
set -euo pipefail
# pgvector is created here, as superuser, so migrations running as `app` find it (CREATE EXTENSION IF NOT EXISTS).
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$APP_DB_PASSWORD" -v repl_password="$REPLICATION_PASSWORD" <<'SQL'
CREATE EXTENSION IF NOT EXISTS vector;
CREATE ROLE app LOGIN PASSWORD :'app_password';
ALTER DATABASE :"DBNAME" OWNER TO app;
GRANT ALL ON SCHEMA public TO app;
ALTER SCHEMA public OWNER TO app;
CREATE ROLE replicator LOGIN REPLICATION PASSWORD :'repl_password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
