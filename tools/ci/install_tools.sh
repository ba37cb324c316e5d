#!/usr/bin/env bash
# Installs what the tests need beyond Deno: Chromium (below), NGINX (nginx/nginx_e2e_test.ts) and promtool from Debian's
# prometheus package (deploy/ops_config_test.ts checks the Prometheus config and alert rules with it). Idempotent.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/install_nginx.sh"
if ! command -v promtool >/dev/null 2>&1; then
  echo "ci: installing promtool (Debian package prometheus)"
  bash "$here/apt_install.sh" prometheus
fi
promtool --version 2>&1 | head -1
# Headless Chromium for the browser tests (tools/api/docs_page_test.ts drives it with playwright-core; never a
# downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  echo "ci: installing chromium (Debian package)"
  bash "$here/apt_install.sh" chromium
fi
