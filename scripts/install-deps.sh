#!/usr/bin/env bash
# Installs what building and testing usagemock needs when it is missing:
#   - libmicrohttpd-dev (Debian/Ubuntu, through apt-get; sudo when not root);
#   - with --python, a virtualenv in .venv with Tests/Contract/requirements.txt, and
#     chromium and chromium-driver (Debian's packages) for the dashboard's browser test.
# Idempotent and quiet when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  command -v apt-get >/dev/null || { echo "install-deps: no apt-get here; install $* by hand" >&2; exit 1; }
  echo "install-deps: installing $* with apt-get" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if ! pkg-config --exists libmicrohttpd 2>/dev/null; then
  apt_install libmicrohttpd-dev pkg-config
fi

if [ "${1:-}" = "--python" ]; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3-venv
  fi
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  stamp=.venv/.requirements-installed
  if [ ! -x .venv/bin/python ] || [ ! -f "$stamp" ] || ! cmp -s Tests/Contract/requirements.txt "$stamp"; then
    python3 -m venv .venv
    .venv/bin/python -m pip install -q --disable-pip-version-check -r Tests/Contract/requirements.txt
    cp Tests/Contract/requirements.txt "$stamp"
  fi
fi
