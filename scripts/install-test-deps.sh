#!/usr/bin/env bash
# Installs the system packages the integration tests need: Dovecot (imapd + lmtpd) for the private
# test instances started by test/harness/dovecot.ts, openssl for their self-signed certificate, and
# Chromium for the browser tests of the pages.
# Idempotent and fast: apt is not touched when everything is already present.
# CI runs this as root on a fresh Debian 12.
set -euo pipefail

packages=()
# Debian's paths: the master, and the imap/lmtp helpers from dovecot-imapd/dovecot-lmtpd
for bin in /usr/sbin/dovecot /usr/bin/doveadm /usr/lib/dovecot/imap /usr/lib/dovecot/lmtp; do
  if [ ! -x "$bin" ]; then
    packages=(dovecot-imapd dovecot-lmtpd)
    break
  fi
done
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
# Browser tests drive Debian's Chromium with playwright-core (its own browser download cannot work here).
[ -x /usr/bin/chromium ] || packages+=(chromium)

if [ ${#packages[@]} -eq 0 ]; then
  echo "install-test-deps: dovecot, openssl and chromium already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: need root to install: ${packages[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_install() { apt-get install -y -qq --no-install-recommends "${packages[@]}"; }

# A fresh image has no package lists: update only then, or when stale lists make the install fail.
if ! apt-cache show "${packages[@]}" >/dev/null 2>&1; then
  apt-get update -qq
  apt_install
elif ! apt_install; then
  apt-get update -qq
  apt_install
fi

# The package may start the system-wide Dovecot (ports 143/993, via systemd or its init script);
# the tests run private instances and don't need it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet dovecot 2>/dev/null; then
  systemctl disable --now dovecot >/dev/null 2>&1 || true
elif [ -s /run/dovecot/master.pid ]; then
  dovecot stop >/dev/null 2>&1 || true
fi

echo "install-test-deps: installed ${packages[*]}"
