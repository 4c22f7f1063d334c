#!/usr/bin/env bash
# Installs the real servers that the integration tests start (Debian 12).
# Idempotent and non-interactive: installs only what is missing, and makes sure none of the
# packages leaves a system service running on the standard ports.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# baresip-core, not the baresip metapackage: the metapackage recommends GTK, X11 and GStreamer.
PACKAGES=(prosody ejabberd kamailio kamailio-presence-modules baresip-core sipsak)
SERVICES=(prosody ejabberd kamailio)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-servers: run as root (or install sudo)" >&2; exit 1; }
  SUDO=(sudo -n)
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
version() { dpkg-query -W -f='${Version}' "$1"; }
has_candidate() { apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done

if [ "${#missing[@]}" -gt 0 ]; then
  need_update=0
  for p in "${missing[@]}"; do has_candidate "$p" || need_update=1; done
  if [ "$need_update" -eq 1 ]; then
    "${SUDO[@]}" apt-get update -qq </dev/null
  fi

  # policy-rc.d exit 101 tells invoke-rc.d not to start services during the install.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod 755 "$policy"
    own_policy=1
  fi
  apt_log=$(mktemp)
  trap 'rm -f "$apt_log"; if [ "$own_policy" -eq 1 ]; then "${SUDO[@]}" rm -f "$policy"; fi' EXIT
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" </dev/null >"$apt_log" 2>&1 \
    || { cat "$apt_log" >&2; exit 1; }
fi

# Undo any auto-start (a machine where the packages came without a policy-rc.d).
for s in "${SERVICES[@]}"; do
  [ -e "/etc/init.d/$s" ] || [ -e "/lib/systemd/system/$s.service" ] || continue
  if [ -d /run/systemd/system ]; then
    "${SUDO[@]}" systemctl disable --now "$s" >/dev/null 2>&1 || true
  else
    "${SUDO[@]}" update-rc.d "$s" disable >/dev/null 2>&1 || true
    if [ -e "/etc/init.d/$s" ] && "${SUDO[@]}" /etc/init.d/"$s" status >/dev/null 2>&1; then
      "${SUDO[@]}" /etc/init.d/"$s" stop >/dev/null 2>&1 || true
    fi
  fi
done

# ejabberd's postinst leaves an epmd daemon on port 4369; stop it when it serves no node.
if command -v epmd >/dev/null && epmd -names 2>/dev/null | grep -q "up and running" \
  && ! epmd -names 2>/dev/null | grep -q "^name "; then
  epmd -kill >/dev/null 2>&1 || true
fi

for p in "${PACKAGES[@]}"; do
  state="already installed"
  for m in "${missing[@]}"; do [ "$m" = "$p" ] && state="installed"; done
  installed "$p" || { echo "$p: NOT installed" >&2; exit 1; }
  echo "$p $(version "$p") ($state)"
done
