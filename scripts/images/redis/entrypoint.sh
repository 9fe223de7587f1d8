#!/bin/bash
# redis-entrypoint server | sentinel
#
# server:   port 6379, append-only persistence in /data (a restarted master must not come back empty and be promoted);
#           REDIS_REPLICA_OF=host[:port] makes it a replica. REDIS_ANNOUNCE_HOST: the name others reach it by.
# sentinel: port 26379, monitors REDIS_MASTER_NAME (default mymaster) at REDIS_MASTER_HOST[:REDIS_MASTER_PORT] with
#           quorum REDIS_SENTINEL_QUORUM (default 2); host names are resolved and announced, so addresses survive a
#           container getting a new IP. Sentinel rewrites its file, so it is written to /data once and kept.
set -euo pipefail

role=${1:-server}
case "$role" in
    server)
        conf=/tmp/redis.conf
        {
            echo "bind 0.0.0.0"
            echo "port 6379"
            echo "protected-mode no"
            echo "dir /data"
            echo "daemonize no"
            echo 'logfile ""'
            echo "appendonly yes"
            echo "save 300 1"
            if [ -n "${REDIS_ANNOUNCE_HOST:-}" ]; then
                echo "replica-announce-ip $REDIS_ANNOUNCE_HOST"
            fi
            if [ -n "${REDIS_REPLICA_OF:-}" ]; then
                echo "replicaof ${REDIS_REPLICA_OF%%:*} $([[ "$REDIS_REPLICA_OF" == *:* ]] && echo "${REDIS_REPLICA_OF##*:}" || echo 6379)"
            fi
        } > "$conf"
        exec redis-server "$conf"
        ;;
    sentinel)
        : "${REDIS_MASTER_HOST:?REDIS_MASTER_HOST is required}"
        conf=/data/sentinel.conf
        if [ ! -s "$conf" ]; then
            master=${REDIS_MASTER_NAME:-mymaster}
            cat > "$conf" <<CONF
port 26379
dir /data
daemonize no
protected-mode no
logfile ""
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
${REDIS_ANNOUNCE_HOST:+sentinel announce-ip $REDIS_ANNOUNCE_HOST}
sentinel monitor $master $REDIS_MASTER_HOST ${REDIS_MASTER_PORT:-6379} ${REDIS_SENTINEL_QUORUM:-2}
sentinel down-after-milliseconds $master ${REDIS_DOWN_AFTER_MILLISECONDS:-5000}
sentinel failover-timeout $master ${REDIS_FAILOVER_TIMEOUT_MILLISECONDS:-30000}
sentinel parallel-syncs $master 1
CONF
        fi
        exec redis-sentinel "$conf"
        ;;
    *)
        echo "usage: redis-entrypoint server|sentinel" >&2
        exit 2
        ;;
esac
