#!/usr/bin/env bash
# Measures how fast one vk-runner (mock provider) brings pods to Running on the cluster of
# KUBECONFIG, and how much memory it holds while running them:
#   scripts/bench-pods.sh [REPLICAS]        (default 200)
# Needs the distribution (./mvnw -B -DskipTests package builds vk-dist/target/vkj), kubectl, and
# a cluster where a node named vkj-bench may register (scripts/control-plane.sh up gives one).
# Uses VKJ_KUBELET_CERT/KEY and VKJ_CLUSTER_CA from the control plane's env file when they are set.
set -euo pipefail
cd "$(dirname "$0")/.."
replicas=${1:-200}
node=vkj-bench
ns=vkj-bench-$(date +%s)
launcher=vk-dist/target/vkj/bin/vk-runner
work=$(mktemp -d /tmp/vkj-bench.XXXXXX)
[ -x "$launcher" ] || { echo "build the distribution first: ./mvnw -B -DskipTests package" >&2; exit 2; }
printf 'startupDelay: 1ms\npods: "%s"\n' "$((replicas + 10))" > "$work/mock.yaml"

tls=()
[ -n "${VKJ_KUBELET_CERT:-}" ] && tls+=(--tls-cert "$VKJ_KUBELET_CERT" --tls-key "$VKJ_KUBELET_KEY")
[ -n "${VKJ_CLUSTER_CA:-}" ] && tls+=(--client-ca "$VKJ_CLUSTER_CA")
# the launcher execs the JVM: $! below is the runner's own process, whose memory is measured
JAVA_OPTS="-Xmx1g" "$launcher" run --provider mock --node-name "$node" --node-ip 127.0.0.1 \
  --provider-config "$work/mock.yaml" --metrics-port 0 --pod-sync-workers 10 "${tls[@]}" \
  > "$work/runner.log" 2>&1 &
runner=$!
cleanup() {
  kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  kill "$runner" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
  kubectl delete node "$node" >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 240); do
  [ "$(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ] && break
  kill -0 "$runner" 2>/dev/null || { cat "$work/runner.log" >&2; exit 1; }
  sleep 0.5
done
kubectl create namespace "$ns" >/dev/null
rss_idle=$(awk '/VmRSS/ {print $2}' "/proc/$runner/status")

start=$(date +%s.%N)
kubectl apply -n "$ns" -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: bench
spec:
  replicas: $replicas
  selector:
    matchLabels: {app: bench}
  template:
    metadata:
      labels: {app: bench}
    spec:
      nodeSelector: {kubernetes.io/hostname: $node}
      tolerations: [{key: virtual-kubelet.io/provider, operator: Exists}]
      containers: [{name: app, image: nginx}]
YAML
while true; do
  running=$(kubectl get pods -n "$ns" --field-selector=status.phase=Running --no-headers 2>/dev/null | grep -c . || true)
  [ "$running" -ge "$replicas" ] && break
  sleep 0.5
done
end=$(date +%s.%N)
rss_busy=$(awk '/VmRSS/ {print $2}' "/proc/$runner/status")
seconds=$(echo "$end - $start" | bc -l)
# per pod: creation by the ReplicaSet controller to Ready (whole seconds, as the API stores them)
latencies=$(kubectl get pods -n "$ns" -o jsonpath='{range .items[*]}{.metadata.creationTimestamp}{" "}{.status.conditions[?(@.type=="Ready")].lastTransitionTime}{"\n"}{end}' \
  | while read -r created ready; do echo $(( $(date -d "$ready" +%s) - $(date -d "$created" +%s) )); done | sort -n)
p50=$(echo "$latencies" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
p95=$(echo "$latencies" | awk '{a[NR]=$1} END {i=int(NR*0.95); if (i<1) i=1; print a[i]}')
printf 'replicas: %s\nseconds to all Running: %.1f\npods per second: %.1f\npod created to Ready, p50/p95: %s s / %s s\nrunner RSS idle: %d MiB\nrunner RSS with pods: %d MiB\n' \
  "$replicas" "$seconds" "$(echo "$replicas / $seconds" | bc -l)" "$p50" "$p95" "$((rss_idle / 1024))" "$((rss_busy / 1024))"
