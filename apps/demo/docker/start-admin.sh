#!/bin/sh
# The admin container's entry point: the credentials of ADMIN_USER / ADMIN_PASSWORD, or ones
# made for this run, printed as `npm start` prints them; then the production server.
set -eu
: "${ADMIN_USER:=admin}"
note="(from ADMIN_USER / ADMIN_PASSWORD)"
if [ -z "${ADMIN_PASSWORD:-}" ]; then
  ADMIN_PASSWORD=$(node -e "process.stdout.write(require('node:crypto').randomBytes(12).toString('base64url'))")
  note="(made for this run)"
fi
export ADMIN_USER ADMIN_PASSWORD

cat <<BANNER

Progressrus demo is running.

  Dashboard  http://localhost:${ADMIN_HOST_PORT:-3000}
  Portal     ${PORTAL_URL:-(not configured)}
  User       ${ADMIN_USER}
  Password   ${ADMIN_PASSWORD}  ${note}
  Queues     http://localhost:${ADMIN_HOST_PORT:-3000}/queues  (bull-board: ${PROGRESSRUS_QUEUES:-none})
  Redis      ${REDIS_URL}

BANNER

cd apps/admin
# serve.mjs: `next start`, in WEB_CONCURRENCY processes sharing the port when it is set.
exec node serve.mjs --hostname 0.0.0.0 --port 3000
