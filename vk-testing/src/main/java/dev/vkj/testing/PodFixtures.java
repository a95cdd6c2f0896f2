package dev.vkj.testing;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.ConfigMapVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecretVolumeSourceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Builds pods for tests in a line or two. Every pod gets a fresh random UID unless one is given.
 *
 * <pre>{@code
 * Pod pod = PodFixtures.pod("web-1")
 *     .namespace("shop")
 *     .container("app", "nginx:1.27", c -> c.port(80).env("MODE", "demo").requests("100m", "64Mi"))
 *     .configMapVolume("cfg", "web-config", "/etc/web")
 *     .annotation("example.com/team", "a")
 *     .build();
 * }</pre>
 */
public final class PodFixtures {
  private PodFixtures() {}

  /** A pod builder with namespace {@code default}, a random UID and no containers yet. */
  public static PodSpecBuilder pod(String name) {
    return new PodSpecBuilder(name);
  }

  /** A pod with one container {@code app} running {@code busybox:1.36}. */
  public static Pod simplePod(String name) {
    return pod(name).container("app", "busybox:1.36").build();
  }

  /** A fluent builder for a pod; see {@link PodFixtures}. */
  public static final class PodSpecBuilder {
    private final String name;
    private String namespace = "default";
    private String uid = UUID.randomUUID().toString();
    private String nodeName = "vk-test";
    private String restartPolicy = "Always";
    private Long terminationGracePeriodSeconds = 30L;
    private Boolean hostNetwork;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private final List<Container> initContainers = new ArrayList<>();
    private final List<Container> containers = new ArrayList<>();
    private final List<Volume> volumes = new ArrayList<>();
    private final Map<String, String> mounts = new LinkedHashMap<>();

    private PodSpecBuilder(String name) {
      this.name = requireNonNull(name, "name is null");
    }

    public PodSpecBuilder namespace(String namespace) {
      this.namespace = requireNonNull(namespace, "namespace is null");
      return this;
    }

    public PodSpecBuilder uid(String uid) {
      this.uid = requireNonNull(uid, "uid is null");
      return this;
    }

    public PodSpecBuilder nodeName(String nodeName) {
      this.nodeName = nodeName;
      return this;
    }

    /** {@code Always} (default), {@code OnFailure} or {@code Never}. */
    public PodSpecBuilder restartPolicy(String restartPolicy) {
      this.restartPolicy = requireNonNull(restartPolicy, "restartPolicy is null");
      return this;
    }

    public PodSpecBuilder terminationGracePeriodSeconds(long seconds) {
      this.terminationGracePeriodSeconds = seconds;
      return this;
    }

    public PodSpecBuilder hostNetwork(boolean hostNetwork) {
      this.hostNetwork = hostNetwork;
      return this;
    }

    public PodSpecBuilder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    public PodSpecBuilder annotation(String key, String value) {
      annotations.put(key, value);
      return this;
    }

    /** Adds a container with the given name and image. */
    public PodSpecBuilder container(String name, String image) {
      return container(name, image, c -> {});
    }

    /** Adds a container and customises it (ports, env, resources, mounts). */
    public PodSpecBuilder container(
        String name, String image, Consumer<ContainerFixture> customizer) {
      containers.add(buildContainer(name, image, customizer));
      return this;
    }

    /** Adds an init container; init containers run in the order they are added. */
    public PodSpecBuilder initContainer(String name, String image) {
      return initContainer(name, image, c -> {});
    }

    public PodSpecBuilder initContainer(
        String name, String image, Consumer<ContainerFixture> customizer) {
      initContainers.add(buildContainer(name, image, customizer));
      return this;
    }

    /**
     * Adds a ConfigMap volume and mounts it at {@code mountPath} in every container added so far
     * and later.
     */
    public PodSpecBuilder configMapVolume(String volumeName, String configMap, String mountPath) {
      return configMapVolume(volumeName, configMap, mountPath, List.of());
    }

    /** A ConfigMap volume with explicit {@code items} (key to path). */
    public PodSpecBuilder configMapVolume(
        String volumeName, String configMap, String mountPath, List<KeyToPath> items) {
      volumes.add(
          new VolumeBuilder()
              .withName(volumeName)
              .withConfigMap(
                  new ConfigMapVolumeSourceBuilder()
                      .withName(configMap)
                      .withItems(items.isEmpty() ? null : items)
                      .build())
              .build());
      mounts.put(volumeName, mountPath);
      return this;
    }

    /** A Secret volume mounted at {@code mountPath} in every container. */
    public PodSpecBuilder secretVolume(String volumeName, String secret, String mountPath) {
      volumes.add(
          new VolumeBuilder()
              .withName(volumeName)
              .withSecret(new SecretVolumeSourceBuilder().withSecretName(secret).build())
              .build());
      mounts.put(volumeName, mountPath);
      return this;
    }

    /** Adds any volume as is, without mounting it. */
    public PodSpecBuilder volume(Volume volume) {
      volumes.add(requireNonNull(volume, "volume is null"));
      return this;
    }

    public Pod build() {
      List<Container> regular = new ArrayList<>();
      for (Container c : containers) {
        regular.add(withMounts(c));
      }
      List<Container> init = new ArrayList<>();
      for (Container c : initContainers) {
        init.add(withMounts(c));
      }
      return new PodBuilder()
          .withNewMetadata()
          .withName(name)
          .withNamespace(namespace)
          .withUid(uid)
          .withLabels(labels.isEmpty() ? null : new LinkedHashMap<>(labels))
          .withAnnotations(annotations.isEmpty() ? null : new LinkedHashMap<>(annotations))
          .endMetadata()
          .withNewSpec()
          .withNodeName(nodeName)
          .withRestartPolicy(restartPolicy)
          .withTerminationGracePeriodSeconds(terminationGracePeriodSeconds)
          .withHostNetwork(hostNetwork)
          .withInitContainers(init)
          .withContainers(regular)
          .withVolumes(volumes)
          .endSpec()
          .build();
    }

    private Container withMounts(Container container) {
      if (mounts.isEmpty()) {
        return container;
      }
      ContainerBuilder builder = new ContainerBuilder(container);
      mounts.forEach(
          (volume, path) ->
              builder.addToVolumeMounts(
                  new VolumeMountBuilder().withName(volume).withMountPath(path).build()));
      return builder.build();
    }

    private static Container buildContainer(
        String name, String image, Consumer<ContainerFixture> customizer) {
      ContainerFixture fixture = new ContainerFixture(name, image);
      customizer.accept(fixture);
      return fixture.build();
    }
  }

  /** Customises one container of a {@link PodSpecBuilder}. */
  public static final class ContainerFixture {
    private final ContainerBuilder builder;
    private final Map<String, Quantity> requests = new LinkedHashMap<>();
    private final Map<String, Quantity> limits = new LinkedHashMap<>();

    private ContainerFixture(String name, String image) {
      this.builder =
          new ContainerBuilder()
              .withName(requireNonNull(name, "name is null"))
              .withImage(requireNonNull(image, "image is null"));
    }

    /** Declares a TCP containerPort. */
    public ContainerFixture port(int port) {
      builder.addToPorts(new ContainerPortBuilder().withContainerPort(port).build());
      return this;
    }

    /** Adds a literal environment variable. */
    public ContainerFixture env(String name, String value) {
      builder.addToEnv(new EnvVar(name, value, null));
      return this;
    }

    public ContainerFixture command(String... command) {
      builder.withCommand(command);
      return this;
    }

    public ContainerFixture args(String... args) {
      builder.withArgs(args);
      return this;
    }

    /** Requests cpu and memory, e.g. {@code requests("250m", "64Mi")}; null skips one. */
    public ContainerFixture requests(String cpu, String memory) {
      put(requests, cpu, memory);
      return this;
    }

    /** Limits cpu and memory, e.g. {@code limits("500m", "128Mi")}; null skips one. */
    public ContainerFixture limits(String cpu, String memory) {
      put(limits, cpu, memory);
      return this;
    }

    /** Mounts an already declared volume. */
    public ContainerFixture mount(String volume, String mountPath) {
      builder.addToVolumeMounts(
          new VolumeMountBuilder().withName(volume).withMountPath(mountPath).build());
      return this;
    }

    public ContainerFixture tty(boolean tty) {
      builder.withTty(tty).withStdin(tty);
      return this;
    }

    private static void put(Map<String, Quantity> target, String cpu, String memory) {
      if (cpu != null) {
        target.put("cpu", new Quantity(cpu));
      }
      if (memory != null) {
        target.put("memory", new Quantity(memory));
      }
    }

    private Container build() {
      if (!requests.isEmpty() || !limits.isEmpty()) {
        builder.withResources(
            new ResourceRequirementsBuilder()
                .withRequests(requests.isEmpty() ? null : requests)
                .withLimits(limits.isEmpty() ? null : limits)
                .build());
      }
      return builder.build();
    }
  }
}
