#!/bin/sh
# Container entry point: NEXTAUTH_SECRET from the secrets volume when not given in the environment
# (next-auth reads only the variable; ENCRYPTION_KEY_FILE is read by @zapflow/db/crypto itself).
set -e
if [ -z "${NEXTAUTH_SECRET:-}" ] && [ -n "${NEXTAUTH_SECRET_FILE:-}" ] && [ -s "$NEXTAUTH_SECRET_FILE" ]; then
  NEXTAUTH_SECRET=$(tr -d '\n' <"$NEXTAUTH_SECRET_FILE")
  export NEXTAUTH_SECRET
fi
exec "$@"
