#!/usr/bin/env bash
# Installs the system packages the integration tests need: Dovecot (imapd + lmtpd) for the private
# test instances started by test/harness/dovecot.ts, openssl for their self-signed certificate, Chromium
# for the browser tests of the pages, and Courier-IMAP and Cyrus IMAP for test/harness/courier.ts and cyrus.ts.
# Idempotent and fast: apt is not touched when everything is already present.
# CI runs this as root on a fresh Debian 12.
set -euo pipefail

# Courier's and Cyrus's IMAP packages conflict with dovecot-imapd, and their maintainer scripts would set
# up system services: their .debs are unpacked here instead, and only their plain libraries installed.
SERVERS_DIR=/opt/superimap-test-servers
COURIER_DEBS=(courier-imap courier-base courier-authlib libcourier-unicode4 gamin libgamin0)
CYRUS_DEBS=(cyrus-imapd cyrus-common)
# Libraries the binaries the tests run link (from ldd), and the SASL PLAIN/LOGIN plugins Cyrus logs in with.
SERVER_LIBS=(libgdbm6 libglib2.0-0 libgnutls30 libgssapi-krb5-2 libical3 libicu72 libidn12 libjansson4 libkrb5-3
  libldap-2.5-0 libltdl7 libnsl2 libpcre2-8-0 libpcre3 libpq5 libsasl2-2 libsasl2-modules libsqlite3-0 libssl3
  libuuid1 libwrap0 libxapian30 libxml2)

unpack_servers() {
  local name=$1 marker=$2
  shift 2
  [ -x "$SERVERS_DIR/$name$marker" ] && return 0
  local work
  work=$(mktemp -d) && chmod 755 "$work" # readable by apt's sandbox user
  (cd "$work" && apt-get download -qq "$@") || return 1
  rm -rf "$SERVERS_DIR/$name.new" && mkdir -p "$SERVERS_DIR/$name.new"
  for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$SERVERS_DIR/$name.new" || return 1; done
  rm -rf "$work" "$SERVERS_DIR/$name" && mv "$SERVERS_DIR/$name.new" "$SERVERS_DIR/$name"
  echo "install-test-deps: unpacked $name into $SERVERS_DIR/$name"
}

install_servers() {
  local missing=()
  for lib in "${SERVER_LIBS[@]}"; do dpkg -s "$lib" >/dev/null 2>&1 || missing+=("$lib"); done
  if [ ! -x "$SERVERS_DIR/courier/usr/lib/courier/imapd" ] || [ ! -x "$SERVERS_DIR/cyrus/usr/lib/cyrus/bin/master" ] ||
    [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "install-test-deps: need root to install Courier and Cyrus" >&2; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    if [ ${#missing[@]} -gt 0 ] && ! apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
    unpack_servers courier /usr/lib/courier/imapd "${COURIER_DEBS[@]}" ||
      { apt-get update -qq && unpack_servers courier /usr/lib/courier/imapd "${COURIER_DEBS[@]}"; }
    unpack_servers cyrus /usr/lib/cyrus/bin/master "${CYRUS_DEBS[@]}" ||
      { apt-get update -qq && unpack_servers cyrus /usr/lib/cyrus/bin/master "${CYRUS_DEBS[@]}"; }
  fi
  # Cyrus's master switches to its compiled-in user `cyrus`; Courier's login needs this mount point.
  if ! id cyrus >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || { echo "install-test-deps: need root to create the user cyrus" >&2; exit 1; }
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --gid mail cyrus
  fi
  [ -d /run/courier ] || mkdir -p /run/courier 2>/dev/null || true
}
install_servers

packages=()
# Debian's paths: the master, and the imap/lmtp helpers from dovecot-imapd/dovecot-lmtpd
for bin in /usr/sbin/dovecot /usr/bin/doveadm /usr/lib/dovecot/imap /usr/lib/dovecot/lmtp; do
  if [ ! -x "$bin" ]; then
    packages=(dovecot-imapd dovecot-lmtpd)
    break
  fi
done
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
# The keepalive test reads socket timers with `ss`.
command -v ss >/dev/null 2>&1 || packages+=(iproute2)
# Browser tests drive Debian's Chromium with playwright-core (its own browser download cannot work here).
[ -x /usr/bin/chromium ] || packages+=(chromium)

if [ ${#packages[@]} -eq 0 ]; then
  echo "install-test-deps: dovecot, openssl, iproute2 and chromium already installed"
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
