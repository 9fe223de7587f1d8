# Shared by scripts/images.sh and scripts/compose-smoke.sh: a Docker daemon to build and run the images.
#
# An already reachable daemon (DOCKER_HOST, or the default socket) is used as it is. Otherwise Debian's docker.io daemon
# is started by hand with a data root, exec root and socket of its own under JC_DOCKER_DIR, so it never touches a system
# daemon's state; it keeps running after the script (the next run reuses it and its images). `scripts/images.sh
# stop-daemon` stops the one started here.

JC_DOCKER_DIR=${JC_DOCKER_DIR:-/var/tmp/jc-docker}
JC_DOCKER_PACKAGES=(docker.io docker-compose debootstrap)

daemon_answers() {
    docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# Exports DOCKER_HOST for a daemon that answers, starting our own when none does.
ensure_docker() {
    ensure_packages "${JC_DOCKER_PACKAGES[@]}"
    if [ -n "${DOCKER_HOST:-}" ] && daemon_answers; then
        return 0
    fi
    export DOCKER_HOST="unix://$JC_DOCKER_DIR/docker.sock"
    if daemon_answers; then
        return 0
    fi
    mkdir -p "$JC_DOCKER_DIR"
    echo "starting dockerd (data in $JC_DOCKER_DIR/data, log $JC_DOCKER_DIR/dockerd.log)" >&2
    # setsid: the daemon outlives this script and is not hit by a Ctrl-C meant for it
    setsid nohup dockerd --data-root "$JC_DOCKER_DIR/data" --exec-root "$JC_DOCKER_DIR/exec" -H "$DOCKER_HOST" \
        --pidfile "$JC_DOCKER_DIR/dockerd.pid" > "$JC_DOCKER_DIR/dockerd.log" 2>&1 < /dev/null &
    local _
    for _ in $(seq 1 60); do
        if daemon_answers; then
            return 0
        fi
        sleep 0.5
    done
    echo "dockerd did not answer within 30 s; last lines of $JC_DOCKER_DIR/dockerd.log:" >&2
    tail -n 20 "$JC_DOCKER_DIR/dockerd.log" >&2
    return 1
}

stop_own_docker() {
    local pidfile="$JC_DOCKER_DIR/dockerd.pid"
    if [ ! -s "$pidfile" ] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "no dockerd started from $JC_DOCKER_DIR runs"
        return 0
    fi
    local pid _
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    echo "dockerd (pid $pid) stopped"
}

image_present() {
    docker image inspect "$1" >/dev/null 2>&1
}
