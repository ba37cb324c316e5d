#!/usr/bin/env bash
# apt_install.sh PACKAGE...: installs Debian packages without starting their services (CI and dev machines run the
# test's own instances on free ports, never the packaged daemons). Used by install_nginx.sh and install_tools.sh.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  # Exit code 101 tells invoke-rc.d "action forbidden": the packages' postinst scripts then start nothing.
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod +x "$POLICY"
  trap '$SUDO rm -f "$POLICY"' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
