#!/usr/bin/env bash
# Benchmarks vkj (mock provider, zero start delay) against a minimal kubelet written with the same
# client, on the cluster of KUBECONFIG, and writes docs/benchmarks/kubelet.{json,md,svg}:
#   scripts/bench-kubelet.sh [vk-bench options...]
# e.g. scripts/bench-kubelet.sh --sizes 1000,10000 --rates 25,50 --duration 2m --restart-pods 5000
# Each kubelet runs in its own JVM (so CPU time and heap are its own) and registers its own node
# (bench-baseline, bench-vkj, bench-vkj-restart); pods go to the namespace vkj-bench, which is
# deleted first. The kubeconfig's user must be allowed to create nodes and leases and to read
# /metrics (an admin kubeconfig; scripts/control-plane.sh up gives one). VKJ_KUBELET_CERT and
# VKJ_KUBELET_KEY, when set, are vkj's serving certificate. JAVA_OPTS is passed to the driver.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=vk-bench/target/vk-bench.jar
if [ ! -f "$jar" ] || [ -n "$(find vk-*/src/main vk-*/pom.xml pom.xml -newer "$jar" -print -quit)" ]; then
  echo "bench-kubelet: building vk-bench (./mvnw -q -B -pl vk-bench -am package -DskipTests)" >&2
  ./mvnw -q -B -pl vk-bench -am package -DskipTests
fi
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
