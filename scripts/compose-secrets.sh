#!/usr/bin/env bash
# Writes the secrets docker-compose.yml reads, one env file per secret (as the Kubernetes Secrets are split), with fresh
# random values; a file that exists is kept, so running it again changes nothing.
#
#   scripts/compose-secrets.sh [DIR]    DIR defaults to JC_SECRETS_DIR, else ./.compose-secrets (ignored by git)
#
#   db.env                        DB_PASSWORD                  the services' database role (PostgreSQL, PgBouncer)
#   backup-db.env                 BACKUP_DB_PASSWORD           the backup role (replication, dumps)
#   internal-token-public.env     INTERNAL_TOKEN_PUBLIC_KEY    EC P-256 public key, PEM on one line, every service
#   internal-token-private.env    INTERNAL_TOKEN_PRIVATE_KEY   its PKCS#8 private key (gateway, task and backup service)
#   vault.env                     CREDENTIAL_KEYS              the device service's vault master key (AES-256)
#   admin.env                     ADMIN_PASSWORD               the gateway's first admin
#   grafana.env                   GF_SECURITY_ADMIN_PASSWORD   Grafana's admin
#
# Env files hold one line per variable, so the PEM keys are written on one line (header, base64, footer); the services
# strip headers and white space before decoding.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-${JC_SECRETS_DIR:-./.compose-secrets}}
umask 077
mkdir -p "$DIR"

random_text() {
    head -c 24 /dev/urandom | base64 | tr -d '/+='
}

# $1: file name, $2: variable, $3: value; nothing when the file is there already
write_once() {
    local file="$DIR/$1"
    if [ ! -s "$file" ]; then
        printf '%s=%s\n' "$2" "$3" > "$file"
    fi
}

one_line() {
    tr -d '\n' < "$1"
}

write_once db.env DB_PASSWORD "$(random_text)"
write_once backup-db.env BACKUP_DB_PASSWORD "$(random_text)"
write_once vault.env CREDENTIAL_KEYS "compose-1:$(head -c 32 /dev/urandom | base64)"
write_once admin.env ADMIN_PASSWORD "$(random_text)"
write_once grafana.env GF_SECURITY_ADMIN_PASSWORD "$(random_text)"
if [ ! -s "$DIR/internal-token-private.env" ] || [ ! -s "$DIR/internal-token-public.env" ]; then
    work=$(mktemp -d)
    openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$work/private.pem"
    openssl ec -in "$work/private.pem" -pubout -out "$work/public.pem" 2>/dev/null
    printf 'INTERNAL_TOKEN_PRIVATE_KEY=%s\n' "$(one_line "$work/private.pem")" > "$DIR/internal-token-private.env"
    printf 'INTERNAL_TOKEN_PUBLIC_KEY=%s\n' "$(one_line "$work/public.pem")" > "$DIR/internal-token-public.env"
    rm -rf "$work"
fi
echo "compose secrets in $DIR"
