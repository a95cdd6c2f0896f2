#!/usr/bin/env bash
# AWS requests per second of the fargate provider through the real core, counted by the ECS fake:
# during a burst of new pods and at steady Running pods.
# Usage: scripts/bench-ecs-requests.sh [burst=300] [steady=1000] [window-seconds=60]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl vk-provider-fargate -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "vk-provider-fargate/target/test-classes:vk-provider-fargate/target/classes:$(cat vk-provider-fargate/target/test-classpath.txt)" \
  dev.vkj.provider.fargate.EcsRequestRateBenchmark "$@"
