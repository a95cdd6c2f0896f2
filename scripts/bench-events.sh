#!/usr/bin/env bash
# Event API requests and Event objects per pod for a crash-looping workload.
# Usage: scripts/bench-events.sh [pods=100] [backoff-repeats=20] [qps=50] [burst=100]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl vk-core -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -Djava.util.logging.config.file=/dev/null \
  -cp "vk-core/target/test-classes:vk-core/target/classes:$(cat vk-core/target/test-classpath.txt)" \
  dev.vkj.core.event.EventWritesBenchmark "$@"
