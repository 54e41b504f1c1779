#!/bin/sh
# The portal container's entry point: the secret of PORTAL_SECRET, or one made for this run
# (which signs everyone out at each start), then the production server.
set -eu
if [ -z "${PORTAL_SECRET:-}" ]; then
  PORTAL_SECRET=$(node -e "process.stdout.write(require('node:crypto').randomBytes(32).toString('base64url'))")
fi
export PORTAL_SECRET

cat <<BANNER

Progressrus demo portal is running.

  Portal     http://localhost:${PORTAL_HOST_PORT:-3001}  (what users 1–7 see: sign in as any of them, no password)
  Redis      ${REDIS_URL}

BANNER

cd apps/portal
exec node ../../node_modules/next/dist/bin/next start --hostname 0.0.0.0 --port 3001
