#!/usr/bin/env bash
# Builds the distribution (vk-dist/target/vkj) when needed and runs a virtual node with its
# launcher, bin/vk-runner, and the mock provider of its providers/mock.
#
#   scripts/run-mock.sh [vk-runner run options...]
#
# Cluster: when 'kubectl cluster-info' works with your kubeconfig, that cluster is used.
# Otherwise (or with VKJ_LOCAL=1) a local control plane is started on loopback with
# scripts/control-plane.sh (Debian-like machines; the first start builds Kubernetes and needs
# root) and the node uses 127.0.0.1, the control plane's kubelet serving certificate and its CA.
# The control plane keeps running after the node stops: 'scripts/control-plane.sh down' stops it.
#
# With your own cluster the kubelet API gets a self-signed serving certificate (in
# ~/.cache/vkj/run-mock) and, when your kubeconfig embeds it, the cluster CA as client CA: on
# kubeadm-style clusters that CA signs the API server's kubelet client certificate, which is
# what 'kubectl logs/exec' need. The API server must reach the node IP (VKJ_NODE_IP, default the
# first non-loopback IPv4 address) on port 10250 (KUBELET_PORT).
#
# Every VKJ_* variable read by vk-runner still applies (VKJ_NODE_NAME, VKJ_LOG_LEVEL, ...);
# VKJ_CONTROL_PLANE_DIR picks the control plane's folder; JAVA_HOME and JAVA_OPTS are read by the
# launcher.
# Ctrl-C stops the node cleanly.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIST=$ROOT/vk-dist/target/vkj
LAUNCHER=$DIST/bin/vk-runner

say() { echo "run-mock: $*" >&2; }

if ! command -v java >/dev/null; then
  say "java not found; install a JDK 17 or newer"
  exit 1
fi

# the build recreates lib/ whole, so its time is the time of the build
stale() {
  [ ! -x "$LAUNCHER" ] || [ ! -d "$DIST/lib" ] && return 0
  [ -n "$(find "$ROOT" -path "$ROOT/*/target" -prune -o \
      \( -name pom.xml -o -path '*/src/main/*' -o -path '*/src/bin/*' -o -path '*/src/assembly/*' \) \
      -newer "$DIST/lib" -print -quit)" ]
}

if stale; then
  say "building the distribution (./mvnw -q -B -DskipTests package)"
  (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
fi

args=(run --provider mock)
if [ -z "${VKJ_LOCAL:-}" ] && command -v kubectl >/dev/null \
    && kubectl cluster-info --request-timeout=5s >/dev/null 2>&1; then
  say "using the cluster of your kubeconfig: $(kubectl config current-context 2>/dev/null || echo '?')"
  dir=${XDG_CACHE_HOME:-$HOME/.cache}/vkj/run-mock
  mkdir -p "$dir"
  node_ip=${VKJ_NODE_IP:-${VKUBELET_POD_IP:-$(hostname -I 2>/dev/null | awk '{print $1}')}}
  node_ip=${node_ip:-127.0.0.1}
  if [ ! -f "$dir/kubelet-$node_ip.crt" ]; then
    say "creating a self-signed kubelet serving certificate for $node_ip"
    (umask 077
     openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=vkj-kubelet" \
       -keyout "$dir/kubelet-$node_ip.key" -out "$dir/kubelet-$node_ip.crt" \
       -addext "subjectAltName=IP:$node_ip,DNS:$(hostname)" 2>/dev/null)
  fi
  args+=(--node-ip "$node_ip" --tls-cert "$dir/kubelet-$node_ip.crt" --tls-key "$dir/kubelet-$node_ip.key")
  ca_data=$(kubectl config view --raw --minify --flatten \
    -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' 2>/dev/null || true)
  if [ -n "$ca_data" ] && echo "$ca_data" | base64 -d > "$dir/cluster-ca.crt" 2>/dev/null; then
    args+=(--client-ca "$dir/cluster-ca.crt")
  else
    say "the cluster CA is not in your kubeconfig: 'kubectl logs/exec' will be refused by the node"
    say "(pass --client-ca FILE with the CA that signs the API server's kubelet client certificate)"
  fi
else
  say "no reachable cluster (or VKJ_LOCAL set): starting a local control plane"
  env_file=$("$ROOT/scripts/control-plane.sh" up ${VKJ_CONTROL_PLANE_DIR:+"$VKJ_CONTROL_PLANE_DIR"})
  # shellcheck disable=SC1090
  . "$env_file"
  args+=(--kubeconfig "$KUBECONFIG" --node-ip 127.0.0.1 --bind-address 127.0.0.1
         --tls-cert "$VKJ_KUBELET_CERT" --tls-key "$VKJ_KUBELET_KEY" --client-ca "$VKJ_CLUSTER_CA")
  say "kubectl: export KUBECONFIG=$KUBECONFIG"
fi

# exec (here and in the launcher): Ctrl-C and SIGTERM reach the JVM, which stops the node cleanly
exec "$LAUNCHER" "${args[@]}" "$@"
