#!/usr/bin/env bash
# Builds every JunosCommander image into a local Docker daemon, without a registry, and prints their sizes:
#
#   junoscommander/debian:bookworm          debootstrap --variant=minbase of Debian 12, imported (the base of all below)
#   junoscommander/jre:17                   + OpenJDK 17 JRE, user jc (10001), http-check for healthchecks
#   junoscommander/jre-backup:17            + PostgreSQL 15 server and client tools, redis-tools (backup service base)
#   junoscommander/postgresql:15, junoscommander/pgbouncer:1.18, junoscommander/redis:7.0 (server and sentinel),
#   junoscommander/prometheus:2.42          Debian packages, scripts/images/<name>/Dockerfile
#   junoscommander/device-lab:VERSION       the device lab's jar on the JRE base
#   junoscommander/{gateway,device,task,backup}-service:VERSION   Jib (quarkus-container-image-jib) from the Maven build
#
#   scripts/images.sh [all]      everything (default); idempotent: the base is reused when present, the Dockerfile
#                                images come from the build cache when nothing changed
#   scripts/images.sh infra      base, JRE and the Debian-package images only (no Maven build)
#   scripts/images.sh sizes      the sizes of what is there
#   scripts/images.sh stop-daemon   stop the dockerd this script started
#
# SKIP_BUILD=1 reuses service and lab images that are already in the daemon instead of running Maven. Runs as root
# (debootstrap, dockerd); uses DOCKER_HOST when a daemon answers there, else starts its own (scripts/lib/docker.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source scripts/lib/common.sh
source scripts/lib/docker.sh

VERSION=$(sed -n 's:^    <version>\(.*\)</version>:\1:p' pom.xml | head -1)
SERVICES=(gateway-service device-service task-service backup-service)
BASE=junoscommander/debian:bookworm
INFRA_IMAGES=(postgresql:15 pgbouncer:1.18 redis:7.0 prometheus:2.42)

# The mirrors apt uses on this machine (the same reach the images' own apt-get needs), the main one first.
apt_repository() {
    local suite=$1
    apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null | awk -v suite="$suite" '$2 == suite {print $1; exit}'
}

build_base() {
    if image_present "$BASE"; then
        echo "$BASE: present, reused"
        return
    fi
    local mirror security work
    mirror=$(apt_repository bookworm)
    mirror=${mirror:-http://deb.debian.org/debian/}
    security=$(apt_repository bookworm-security)
    security=${security:-http://deb.debian.org/debian-security/}
    work=$(mktemp -d /var/tmp/jc-debootstrap.XXXXXX)
    echo "$BASE: debootstrap --variant=minbase bookworm from $mirror (about 30-70 s)"
    debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 || {
        tail -n 20 "$work/debootstrap.log" >&2
        rm -rf "$work"
        return 1
    }
    cat > "$work/rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES
    # no daemon may start while an image installs packages (there is no init in a build container anyway)
    printf '#!/bin/sh\nexit 101\n' > "$work/rootfs/usr/sbin/policy-rc.d"
    chmod 755 "$work/rootfs/usr/sbin/policy-rc.d"
    rm -rf "$work"/rootfs/var/cache/apt/archives/*.deb "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/var/log/*.log
    tar -C "$work/rootfs" -c . | docker import -c 'ENV LANG=C.UTF-8' -c 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
    rm -rf "$work"
    echo "$BASE: imported"
}

# $1: image name, $2: Dockerfile, $3: build context; the build's output is shown only when it fails
docker_build() {
    local image=$1 dockerfile=$2 context=$3 log
    log=$(mktemp)
    if ! docker build --network host -t "$image" -f "$dockerfile" "$context" > "$log" 2>&1; then
        tail -n 30 "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

# $1: image name, $2: folder under scripts/images; the build context is scripts/images (for the shared common/ files)
build_dockerfile() {
    local image=$1 folder=$2
    echo "$image: docker build scripts/images/$folder"
    docker_build "$image" "scripts/images/$folder/Dockerfile" scripts/images
}

build_infra() {
    build_base
    build_dockerfile junoscommander/jre:17 jre
    build_dockerfile junoscommander/jre-backup:17 jre-backup
    local image
    for image in "${INFRA_IMAGES[@]}"; do
        build_dockerfile "junoscommander/$image" "${image%%:*}"
    done
}

services_present() {
    local name
    for name in "${SERVICES[@]}" device-lab; do
        image_present "junoscommander/$name:$VERSION" || return 1
    done
}

build_java() {
    if [ "${SKIP_BUILD:-0}" = 1 ] && services_present; then
        echo "service and lab images: present, reused (SKIP_BUILD=1)"
        return
    fi
    ensure_java
    echo "service images: ./mvnw package -Pappcds with -Dquarkus.container-image.build=true (Jib into the daemon, tests skipped)"
    local modules
    modules=$(IFS=,; echo "device-lab,${SERVICES[*]}")
    # -Pappcds: Quarkus makes each service's AppCDS archive by running its JVM in the base image (a docker run of
    # jre:17, the JVM the containers run: an archive fits only the JVM build that made it)
    ./mvnw -B -q -ntp package -DskipTests -pl "$modules" -am -Dquarkus.container-image.build=true -Pappcds \
        -Dquarkus.package.jar.appcds.builder-image=junoscommander/jre:17
    local context
    context=$(mktemp -d /var/tmp/jc-lab-image.XXXXXX)
    cp "$(ls device-lab/target/device-lab-"$VERSION".jar)" "$context/device-lab.jar"
    cp scripts/images/device-lab/Dockerfile "$context/Dockerfile"
    echo "junoscommander/device-lab:$VERSION: docker build"
    docker_build "junoscommander/device-lab:$VERSION" "$context/Dockerfile" "$context"
    rm -rf "$context"
}

sizes() {
    echo "images (uncompressed size as the daemon reports it; layers are shared between images of one base):"
    docker images --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep '^junoscommander/' | sort | awk -F'\t' '{printf "  %-50s %s\n", $1, $2}'
    if image_present grafana/grafana:11.3.0; then
        echo "  grafana/grafana:11.3.0 present"
    else
        echo "  grafana/grafana:11.3.0 absent (not buildable here: no Debian package, no registry)"
    fi
}

case "${1:-all}" in
    all)
        ensure_docker
        started=$SECONDS
        build_infra
        build_java
        echo "images built in $((SECONDS - started)) s"
        sizes
        ;;
    infra)
        ensure_docker
        build_infra
        sizes
        ;;
    sizes)
        ensure_docker
        sizes
        ;;
    stop-daemon)
        stop_own_docker
        ;;
    *)
        echo "usage: $0 [all|infra|sizes|stop-daemon]" >&2
        exit 2
        ;;
esac
