# Runtime image of vk-runner. Build the jar first: ./mvnw -B -DskipTests package
FROM eclipse-temurin:17-jre
RUN mkdir -p /opt/vkj/providers
COPY vk-runner/target/vk-runner.jar /opt/vkj/vk-runner.jar
# each provider folder loads in its own class loader: --provider azure, --provider fargate
COPY vk-provider-azure/target/providers/ /opt/vkj/providers/
COPY vk-provider-fargate/target/providers/ /opt/vkj/providers/
ENV VKJ_PROVIDER_PATH=/opt/vkj/providers
EXPOSE 10250 10255
USER 65532:65532
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/vkj/vk-runner.jar"]
CMD ["run"]
