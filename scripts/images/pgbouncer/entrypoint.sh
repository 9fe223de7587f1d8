#!/bin/bash
# Writes PgBouncer's configuration under /tmp (the root file system may be read-only) and runs it in the foreground.
#
#   POSTGRES_HOST, POSTGRES_PORT    the server (default postgresql:5432)
#   DB_NAME, DB_USER, DB_PASSWORD   the one database and the role the services use
#   PGBOUNCER_MAX_CLIENT_CONN, PGBOUNCER_DEFAULT_POOL_SIZE   defaults 2000 and 40
#
# Transaction mode without prepared statements (PgBouncer 1.18 has none there): the services set use-layer7-proxy and
# turn the prepared-statement cache off.
set -euo pipefail

: "${DB_PASSWORD:?DB_PASSWORD is required}"
DB_NAME=${DB_NAME:-junoscommander}
DB_USER=${DB_USER:-junoscommander}
DIR=/tmp/pgbouncer
mkdir -p "$DIR"
chmod 700 "$DIR"

# userlist quotes: a double quote inside a value is doubled
(umask 077 && printf '"%s" "%s"\n' "${DB_USER//\"/\"\"}" "${DB_PASSWORD//\"/\"\"}" > "$DIR/userlist.txt")
cat > "$DIR/pgbouncer.ini" <<INI
[databases]
$DB_NAME = host=${POSTGRES_HOST:-postgresql} port=${POSTGRES_PORT:-5432} dbname=$DB_NAME

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
unix_socket_dir = $DIR
auth_type = scram-sha-256
auth_file = $DIR/userlist.txt
pool_mode = transaction
max_client_conn = ${PGBOUNCER_MAX_CLIENT_CONN:-2000}
default_pool_size = ${PGBOUNCER_DEFAULT_POOL_SIZE:-40}
reserve_pool_size = 10
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
# the server's address is looked up again when a connection is made, so a restarted PostgreSQL container is found
dns_max_ttl = 5
INI
exec pgbouncer "$DIR/pgbouncer.ini"
