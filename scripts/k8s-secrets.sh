#!/usr/bin/env bash
# Writes the Kubernetes Secrets JunosCommander's manifests refer to, as YAML on stdout (works offline: nothing is sent to
# a cluster). The values are generated here and exist only in that output, never in the repository:
#
#   scripts/k8s-secrets.sh [namespace] | kubectl apply -f -          # default namespace: junoscommander
#
#   junoscommander-db              username, password   application role: PgBouncer, the services, the migrations
#   junoscommander-backup-db       username, password   backup role (LOGIN REPLICATION, pg_read_all_data): jc_backup
#   junoscommander-redis           password             Redis and Sentinel password (requirepass / auth-pass)
#   junoscommander-internal-token  private-key.pem, public-key.pem   EC P-256 pair (PKCS#8 private key) of the 60 s
#                                                        internal tokens: INTERNAL_TOKEN_PRIVATE_KEY / _PUBLIC_KEY
#   junoscommander-vault           key                  credential vault master key, "id:base64-of-32-bytes"
#                                                        (mounted as CREDENTIAL_KEYS_FILE)
#   junoscommander-admin           password             the gateway's first admin (mounted as ADMIN_PASSWORD_FILE)
#
# Run it once per installation and keep the output in your secret store (sealed-secrets, SOPS, a vault): running it again
# makes new values, and a new vault key cannot read credentials encrypted under the old one (add the old key to the
# vault Secret's list instead, see CREDENTIAL_KEYS in the README). With the production overlay, the CloudNativePG
# Cluster reads junoscommander-db as its application owner and junoscommander-backup-db for its managed backup role.
# The two database Secrets have type kubernetes.io/basic-auth, the form CloudNativePG reads. Needs openssl and kubectl
# (client only).
set -euo pipefail

namespace=${1:-junoscommander}
for tool in openssl kubectl; do
    if ! command -v "$tool" > /dev/null; then
        echo "k8s-secrets.sh: $tool is needed" >&2
        exit 1
    fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

# alphanumeric, so the values survive pgbouncer's userlist, Redis' config and connection strings without quoting
password() {
    openssl rand -base64 48 | tr -dc 'A-Za-z0-9' | head -c 32
}

secret() {
    local name=$1
    shift
    echo "---"
    kubectl create secret generic "$name" --namespace "$namespace" --dry-run=client -o yaml "$@" \
        | grep -v '^  creationTimestamp: null$'
}

openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$work/private-key.pem"
openssl ec -in "$work/private-key.pem" -pubout -out "$work/public-key.pem" 2> /dev/null
echo "k8s-1:$(openssl rand -base64 32)" > "$work/vault-key"

secret junoscommander-db --type=kubernetes.io/basic-auth --from-literal=username=junoscommander --from-literal=password="$(password)"
secret junoscommander-backup-db --type=kubernetes.io/basic-auth --from-literal=username=jc_backup --from-literal=password="$(password)"
secret junoscommander-redis --from-literal=password="$(password)"
secret junoscommander-internal-token --from-file=private-key.pem="$work/private-key.pem" \
    --from-file=public-key.pem="$work/public-key.pem"
secret junoscommander-vault --from-file=key="$work/vault-key"
secret junoscommander-admin --from-literal=password="$(password)"
