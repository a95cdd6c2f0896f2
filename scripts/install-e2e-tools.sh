#!/usr/bin/env bash
# Installs what the end-to-end suite needs besides Java and prints the environment to use it:
#   eval "$(bash scripts/install-e2e-tools.sh)"
# - kubectl on the PATH (Debian's kubernetes-client when there is none),
# - a second, SPDY-only kubectl 1.20 from Debian's kubernetes-client package (VKJ_E2E_KUBECTL_LEGACY),
# - promtool from Debian's prometheus package, to validate /metrics/resource (VKJ_E2E_PROMTOOL).
# The packages are unpacked into a cache folder, not installed. Needs apt-get (Debian-like).
set -euo pipefail
tools=${VKJ_E2E_TOOLS:-$HOME/.cache/vkj-e2e-tools}
mkdir -p "$tools"
export DEBIAN_FRONTEND=noninteractive
updated=0
apt_update() { [ $updated = 1 ] || { apt-get update -qq >/dev/null; updated=1; }; }

if ! command -v kubectl >/dev/null 2>&1; then
  apt_update
  apt-get install -y -qq kubernetes-client >/dev/null
fi

fail() { echo "install-e2e-tools: $*" >&2; exit 1; }

unpack() { # package binary-path-inside
  local pkg=$1 inner=$2 dir="$tools/$1"
  if [ ! -x "$dir/$inner" ]; then
    apt_update
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && apt-get download -qq "$pkg" && dpkg -x ./*.deb . && rm -f ./*.deb) \
      >"$tools/$pkg.log" 2>&1 \
      || { cat "$tools/$pkg.log" >&2; fail "could not download and unpack Debian package $pkg"; }
    [ -x "$dir/$inner" ] || fail "package $pkg has no $inner"
  fi
  echo "$dir/$inner"
}

command -v kubectl >/dev/null 2>&1 || fail "kubectl is still missing after installing kubernetes-client"
# a failure inside $(...) does not stop the script by itself: check each result
legacy=$(unpack kubernetes-client usr/bin/kubectl) || exit 1
promtool=$(unpack prometheus usr/bin/promtool) || exit 1
"$legacy" version --client >/dev/null 2>&1 || fail "$legacy does not run"
"$promtool" --version >/dev/null 2>&1 || fail "$promtool does not run"
echo "export VKJ_E2E_KUBECTL_LEGACY=$legacy"
echo "export VKJ_E2E_PROMTOOL=$promtool"
echo "kubectl: $(kubectl version --client 2>/dev/null | head -n 1); legacy: $("$legacy" version --client --short 2>/dev/null || true)" >&2
