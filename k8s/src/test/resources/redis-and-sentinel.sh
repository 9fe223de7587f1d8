#!/bin/sh
# Runs the local overlay's Redis and Sentinel start scripts (from the rendered ConfigMap, in $1/redis) the way the pods
# redis-0 and redis-sentinel-0 would: their host names, the pods' ports, the Service names resolving. Meant to run inside
# `unshare --mount --net` (as root); each server gets its own host name through `unshare --uts`.
# Prints "check <name>: <result>" lines for the test to read; stops everything it started.
set -eu
work=$1
# from a folder every user may enter: the checkout can be private to root, and runuser keeps the working directory
cd /
command -v ip > /dev/null || { echo "the ip command (Debian package iproute2) is needed" >&2; exit 1; }
ip link set lo up
mount -t tmpfs -o mode=1777 none /tmp
echo "127.0.0.1 localhost redis-0.redis redis-sentinel-0.redis-sentinel" > /tmp/hosts
mount --bind /tmp/hosts /etc/hosts
started=""
stop() {
    for pid in $started; do
        kill "$pid" 2> /dev/null || true
    done
    wait
}
trap stop EXIT
export REDIS_PASSWORD=redis-secret
mkdir -p "$work/data"
# shellcheck disable=SC2016
(cd "$work/data" && exec unshare --uts sh -c 'hostname redis-0 && exec sh "$0/redis.sh"' "$work/redis") > "$work/redis.log" 2>&1 &
started="$started $!"
for _ in $(seq 1 60); do
    [ "$(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p 6379 ping 2> /dev/null)" = PONG ] && break
    sleep 0.5
done
# shellcheck disable=SC2016
unshare --uts sh -c 'hostname redis-sentinel-0 && exec sh "$0/sentinel.sh"' "$work/redis" > "$work/sentinel.log" 2>&1 &
started="$started $!"
for _ in $(seq 1 60); do
    REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p 26379 ping > /dev/null 2>&1 && break
    sleep 0.5
done
sleep 2
echo "check role: $(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p 6379 role | head -n 1)"
echo "check without password: $(redis-cli -p 6379 set key value 2>&1 | tr '\n' ' ')"
echo "check sentinel without password: $(redis-cli -p 26379 sentinel masters 2>&1 | head -n 1)"
echo "check master: $(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p 26379 sentinel get-master-addr-by-name mymaster | tr '\n' ' ')"
echo "check master flags: $(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p 26379 sentinel master mymaster | sed -n '/^flags$/{n;p;}')"
echo "check append only file: $(ls "$work/data" | tr '\n' ' ')"
