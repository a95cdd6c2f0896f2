#!/usr/bin/env bash
# ARM requests per second of the azure provider through the real core, counted by the ARM fake:
# during a burst of new pods and at steady Running pods.
# Usage: scripts/bench-arm-requests.sh [burst=300] [steady=1000] [window-seconds=60]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl vk-provider-azure -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "vk-provider-azure/target/test-classes:vk-provider-azure/target/classes:$(cat vk-provider-azure/target/test-classpath.txt)" \
  dev.vkj.provider.azure.ArmRequestRateBenchmark "$@"
