package dev.vkj.testing;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ProviderContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ProviderContext} for tests: a {@link MutableClock}, {@link InMemoryClusterResources}, a
 * {@link RecordingEventRecorder}, a {@link SimpleMeterRegistry} and a small scheduler that {@link
 * #close()} shuts down.
 *
 * <pre>{@code
 * try (FakeProviderContext context = FakeProviderContext.builder().nodeName("vk-test").build()) {
 *   context.resources().putConfigMap("default", "cfg", Map.of("a", "1"));
 *   Provider provider = new MyFactory().create(ProviderConfig.of(Map.of()), context);
 *   context.clock().advanceSeconds(5);
 * }
 * }</pre>
 */
public final class FakeProviderContext implements ProviderContext, AutoCloseable {
  private final String nodeName;
  private final String nodeIp;
  private final int kubeletPort;
  private final MutableClock clock;
  private final InMemoryClusterResources resources;
  private final RecordingEventRecorder events;
  private final SimpleMeterRegistry meterRegistry;
  private final ScheduledThreadPoolExecutor scheduler;

  private FakeProviderContext(Builder builder) {
    this.nodeName = builder.nodeName;
    this.nodeIp = builder.nodeIp;
    this.kubeletPort = builder.kubeletPort;
    this.clock = builder.clock;
    this.resources = builder.resources;
    this.events = builder.events;
    this.meterRegistry = new SimpleMeterRegistry();
    AtomicInteger threads = new AtomicInteger();
    this.scheduler =
        new ScheduledThreadPoolExecutor(
            builder.schedulerThreads,
            runnable -> {
              Thread thread = Executors.defaultThreadFactory().newThread(runnable);
              thread.setName("fake-provider-context-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.scheduler.setRemoveOnCancelPolicy(true);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A context with all defaults: node {@code vk-test}, IP {@code 10.0.0.1}, port 10250. */
  public static FakeProviderContext create() {
    return builder().build();
  }

  @Override
  public String nodeName() {
    return nodeName;
  }

  @Override
  public String nodeIp() {
    return nodeIp;
  }

  @Override
  public int kubeletPort() {
    return kubeletPort;
  }

  /** The clock as a {@link MutableClock}, so tests can move time. */
  @Override
  public MutableClock clock() {
    return clock;
  }

  @Override
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** The ConfigMaps and Secrets the provider can read; tests add to them. */
  @Override
  public InMemoryClusterResources resources() {
    return resources;
  }

  @Override
  public SimpleMeterRegistry meterRegistry() {
    return meterRegistry;
  }

  /** The recorded events. */
  @Override
  public RecordingEventRecorder events() {
    return events;
  }

  /** Shuts the scheduler down (waiting briefly for running tasks) and closes the registry. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    meterRegistry.close();
  }

  /** Builds a {@link FakeProviderContext}; every setting has a default. */
  public static final class Builder {
    private String nodeName = "vk-test";
    private String nodeIp = "10.0.0.1";
    private int kubeletPort = 10250;
    private MutableClock clock = new MutableClock();
    private InMemoryClusterResources resources = new InMemoryClusterResources();
    private RecordingEventRecorder events = new RecordingEventRecorder();
    private int schedulerThreads = 2;

    private Builder() {}

    public Builder nodeName(String nodeName) {
      this.nodeName = requireNonNull(nodeName, "nodeName is null");
      return this;
    }

    public Builder nodeIp(String nodeIp) {
      this.nodeIp = requireNonNull(nodeIp, "nodeIp is null");
      return this;
    }

    public Builder kubeletPort(int kubeletPort) {
      if (kubeletPort < 1 || kubeletPort > 65535) {
        throw new IllegalArgumentException("invalid port: " + kubeletPort);
      }
      this.kubeletPort = kubeletPort;
      return this;
    }

    public Builder clock(MutableClock clock) {
      this.clock = requireNonNull(clock, "clock is null");
      return this;
    }

    public Builder resources(InMemoryClusterResources resources) {
      this.resources = requireNonNull(resources, "resources is null");
      return this;
    }

    public Builder events(RecordingEventRecorder events) {
      this.events = requireNonNull(events, "events is null");
      return this;
    }

    public Builder schedulerThreads(int schedulerThreads) {
      if (schedulerThreads < 1) {
        throw new IllegalArgumentException("schedulerThreads must be positive");
      }
      this.schedulerThreads = schedulerThreads;
      return this;
    }

    public FakeProviderContext build() {
      return new FakeProviderContext(this);
    }
  }
}
