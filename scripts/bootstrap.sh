#!/bin/sh
# Sets up paperfeed in ./.venv on a fresh Debian or Ubuntu machine that has only its own
# python3 (whose pip refuses system-wide installs), or on any machine with Python >= 3.11.
#
#   sh scripts/bootstrap.sh          paperfeed itself, editable, in .venv
#   sh scripts/bootstrap.sh --test   also what the test suite needs: the test extra, and
#                                    Debian's chromium, fonts, a Java runtime (the Nu HTML
#                                    Checker), Node.js/npm (its test tools, npm ci), and
#                                    newsboat and tmux (a real feed reader's test)
#
# Debian packages are installed with apt-get (as root, or through sudo) only when missing.
set -eu

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TEST=0
[ "${1:-}" = "--test" ] && TEST=1

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "paperfeed needs Python 3.11 or newer: install python3 first" >&2
    exit 1
fi
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "paperfeed needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
    exit 1
fi

# apt-get, as root or through sudo; `apt-get update` once before the first install.
UPDATED=0
apt_install() {
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "missing: $* (not a Debian-like system: install them with your package manager)" >&2
        exit 1
    fi
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    if [ "$UPDATED" -eq 0 ]; then
        # a transient mirror error is retried
        $SUDO apt-get -q -o DPkg::Lock::Timeout=600 update || { sleep 10; $SUDO apt-get -q update; }
        UPDATED=1
    fi
    $SUDO apt-get -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"
}

# Debian and Ubuntu ship venv (ensurepip) in a separate package.
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    version=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install "python$version-venv" || apt_install python3-venv
fi

if [ "$TEST" -eq 1 ]; then
    packages=""
    [ -x /usr/bin/chromium ] || packages="$packages chromium"
    [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || packages="$packages fonts-dejavu-core"
    command -v java >/dev/null 2>&1 || packages="$packages default-jre-headless"
    command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"
    command -v newsboat >/dev/null 2>&1 || packages="$packages newsboat"  # a real feed reader (tests/test_feed_authors.py)
    command -v tmux >/dev/null 2>&1 || packages="$packages tmux"  # drives newsboat's screen
    # shellcheck disable=SC2086
    [ -z "$packages" ] || apt_install $packages
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if [ "$TEST" -eq 1 ]; then
    .venv/bin/python -m pip install -q -e '.[test]'
    npm ci --ignore-scripts --no-audit --no-fund
else
    .venv/bin/python -m pip install -q -e .
fi
echo "paperfeed is installed in .venv: run .venv/bin/paperfeed (or source .venv/bin/activate)"
