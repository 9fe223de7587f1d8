#!/bin/bash
# Creates the cluster on first start, then at every start makes sure the roles, passwords and grants JunosCommander needs
# exist (an env file with new passwords takes effect at the next start), and runs the server in the foreground.
#
#   DB_NAME, DB_USER, DB_PASSWORD          the application's database and role (the services, through PgBouncer)
#   BACKUP_DB_USER, BACKUP_DB_PASSWORD     the backup service's role: LOGIN REPLICATION, pg_read_all_data, pg_monitor
#   POSTGRES_MAX_CONNECTIONS               default 200
set -euo pipefail

: "${DB_PASSWORD:?DB_PASSWORD is required}"
: "${BACKUP_DB_PASSWORD:?BACKUP_DB_PASSWORD is required}"
DB_NAME=${DB_NAME:-junoscommander}
DB_USER=${DB_USER:-junoscommander}
BACKUP_DB_USER=${BACKUP_DB_USER:-jc_backup}
SOCKETS=/tmp

for name in "$DB_NAME" "$DB_USER" "$BACKUP_DB_USER"; do
    if [[ ! "$name" =~ ^[a-z_][a-z0-9_]*$ ]]; then
        echo "postgresql-entrypoint: '$name' is not a plain lower-case identifier" >&2
        exit 2
    fi
done

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    # superuser "postgres" reachable only over the socket in /tmp (trust), everything over TCP with scram-sha-256
    initdb -D "$PGDATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >/dev/null
    cat >> "$PGDATA/postgresql.conf" <<CONF

# written by the JunosCommander postgresql image
listen_addresses = '*'
unix_socket_directories = '$SOCKETS'
max_connections = ${POSTGRES_MAX_CONNECTIONS:-200}
shared_buffers = 128MB
password_encryption = scram-sha-256
# base backups, pg_receivewal on a physical slot and point-in-time restores by the backup service
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
CONF
    cat >> "$PGDATA/pg_hba.conf" <<HBA
# the compose network (or the pod network): every connection authenticated with scram-sha-256
host    all             all             0.0.0.0/0               scram-sha-256
# replication only for roles with the REPLICATION attribute (the backup role)
host    replication     all             0.0.0.0/0               scram-sha-256
HBA
fi

quote() {
    printf "'%s'" "${1//\'/\'\'}"
}

# roles and grants with the server listening on its socket only, so no client sees it half set up
pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=$SOCKETS" -w -t 60 start >/dev/null
psql_super() {
    psql -h "$SOCKETS" -U postgres -d "$1" -v ON_ERROR_STOP=1 -X -q
}
psql_super postgres <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') THEN
        CREATE ROLE $DB_USER LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$BACKUP_DB_USER') THEN
        CREATE ROLE $BACKUP_DB_USER LOGIN REPLICATION;
    END IF;
END
\$\$;
ALTER ROLE $DB_USER WITH LOGIN PASSWORD $(quote "$DB_PASSWORD");
ALTER ROLE $BACKUP_DB_USER WITH LOGIN REPLICATION PASSWORD $(quote "$BACKUP_DB_PASSWORD");
GRANT pg_read_all_data TO $BACKUP_DB_USER;
GRANT pg_monitor TO $BACKUP_DB_USER;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME')
\gexec
SQL
# a function's privileges belong to one database: incremental backups switch WAL from the application's
psql_super "$DB_NAME" <<SQL
GRANT EXECUTE ON FUNCTION pg_switch_wal() TO $BACKUP_DB_USER;
SQL
pg_ctl -D "$PGDATA" -m fast -w -t 60 stop >/dev/null

exec postgres -D "$PGDATA"
