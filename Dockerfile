# Runtime image of vk-runner: the distribution (vk-dist), unpacked under /opt/vkj.
# Build the distribution first, then the image, at the repository root:
#   ./mvnw -B -DskipTests package
#   docker build -t <repository>:<tag> .
FROM eclipse-temurin:17-jre
# bin/vk-runner, lib/ (the runner) and providers/{mock,azure,fargate}/, each provider loaded in its
# own class loader; add a provider by adding a folder of jars under /opt/vkj/providers
COPY vk-dist/target/vkj/ /opt/vkj/
ENV VKJ_PROVIDER_PATH=/opt/vkj/providers \
    JAVA_OPTS="-XX:MaxRAMPercentage=75"
EXPOSE 10250 10255
# no privilege needed; the launcher writes nothing, so a read-only root filesystem works
# (the JVM only needs a writable /tmp)
USER 65532:65532
ENTRYPOINT ["/opt/vkj/bin/vk-runner"]
CMD ["run"]
