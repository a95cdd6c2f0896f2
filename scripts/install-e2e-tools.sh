#!/usr/bin/env bash
# Installs what the end-to-end suite needs besides Java: kubectl (Debian's kubernetes-client when
# none is on the PATH). Needs root for apt-get on a fresh machine.
set -euo pipefail
if ! command -v kubectl >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq kubernetes-client >/dev/null
fi
kubectl version --client 2>/dev/null | head -n 1
