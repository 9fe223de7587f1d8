# Shared by scripts/test.sh and scripts/local-stack.sh: installs what the project needs from Debian packages.

# Debian packages the tests and the local stack use (server binaries are started by the harness, never as system services).
# nodejs and npm run s3rver, the S3-compatible server of the backup tests (infra-harness S3Server).
# prometheus gives promtool (the k8s module checks and unit-tests the alert rules with it).
JC_PACKAGES=(postgresql postgresql-client pgbouncer redis-server redis-sentinel redis-tools openssh-server
    python3-netmiko util-linux iproute2 curl procps openssl nodejs npm prometheus)

# Installed, or provided by an installed package: NodeSource's nodejs provides npm and conflicts with Debian's npm, so
# asking apt for npm there would try to remove Node.
package_present() {
    local pkg=$1
    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep "install ok installed" >/dev/null; then
        return 0
    fi
    # grep without -q reads to the end: with pipefail, an early exit would fail the pipeline on SIGPIPE upstream
    dpkg-query -W -f='${Status}|${Provides}\n' 2>/dev/null | grep '^install ok installed|' | cut -d'|' -f2 | tr ',' '\n' \
        | sed 's/(.*//; s/[[:space:]]//g' | grep -x -- "$pkg" >/dev/null
}

ensure_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        if ! package_present "$pkg"; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: ${missing[*]}" >&2
        echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
        return 1
    fi
    echo "installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # policy-rc.d keeps Debian from starting the packaged daemons; the harness runs its own instances
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    local status=$?
    if [ "$created_policy" -eq 1 ]; then
        rm -f "$policy"
    fi
    return $status
}

ensure_java() {
    if ! command -v java >/dev/null 2>&1; then
        echo "no java on PATH: install a JDK 17 or newer (apt-get install openjdk-17-jdk-headless)" >&2
        return 1
    fi
}
