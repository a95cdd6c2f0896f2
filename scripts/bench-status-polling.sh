#!/usr/bin/env bash
# Backend status calls per second at N steady Running pods: per-pod polling vs BatchedPodStatus.
# Usage: scripts/bench-status-polling.sh [pods=1000] [window-seconds=30] [poll-seconds=5]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl vk-core -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "vk-core/target/test-classes:vk-core/target/classes:$(cat vk-core/target/test-classpath.txt)" \
  dev.vkj.core.pod.StatusPollingBenchmark "$@"
