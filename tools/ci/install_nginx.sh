#!/usr/bin/env bash
# Installs Debian's NGINX for nginx/nginx_e2e_test.ts; does nothing when nginx is already there.
set -euo pipefail
if command -v nginx >/dev/null 2>&1; then exit 0; fi
echo "ci: installing nginx"
bash "$(dirname "$0")/apt_install.sh" nginx-light || bash "$(dirname "$0")/apt_install.sh" nginx
nginx -v
