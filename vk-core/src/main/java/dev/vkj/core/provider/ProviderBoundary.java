package dev.vkj.core.provider;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.BackendLimits;
import dev.vkj.spi.BatchedPodStatus;
import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ContainerLogs;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.LogOptions;
import dev.vkj.spi.PodStatusNotifier;
import dev.vkj.spi.PortForward;
import dev.vkj.spi.Provider;
import dev.vkj.spi.ProviderException;
import dev.vkj.spi.StatsProvider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the core calls a provider. {@link #provider()} implements the same SPI
 * interfaces as the provider it wraps (so capability checks with {@code instanceof} still work) and
 * adds to every call:
 *
 * <ul>
 *   <li>a timeout per operation ({@link ProviderBoundaryConfig}); a call that does not answer in
 *       time fails with {@code TRANSIENT} and its thread is interrupted. The call runs on a thread
 *       of the boundary, so the caller is released even when the provider ignores interrupts.
 *       Streaming calls (exec, attach, portForward, followed logs) run on the caller's thread
 *       without a timeout;
 *   <li>the provider's class loader as the thread context class loader;
 *   <li>the timer {@code vkj.provider.calls} tagged {@code operation} and {@code code} ({@code ok}
 *       or the {@link ErrorCode});
 *   <li>up to two retries of idempotent reads that failed with a retryable code other than {@code
 *       THROTTLED} and {@code QUOTA_EXCEEDED}, within the read's timeout; writes are retried by the
 *       pod work queue instead;
 *   <li>{@code INTERNAL} for a runtime exception thrown by the provider;
 *   <li>shared pacing of reads and writes: a token bucket per kind from {@link Provider#limits()}
 *       or the configured rates, and after a {@code THROTTLED} answer a pause of every later call
 *       of that kind until its retry-after (or a backoff from 1 s to 60 s) has passed. Paused calls
 *       wait (counted in {@code vkj.provider.throttle.waits}); only a call whose timeout ends
 *       before the pause does fails at once, with {@code THROTTLED} and the remaining pause.
 * </ul>
 */
public final class ProviderBoundary implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProviderBoundary.class);
  private static final List<Class<?>> CAPABILITIES =
      List.of(
          PodStatusNotifier.class,
          BatchedPodStatus.class,
          ContainerLogs.class,
          ContainerExec.class,
          PortForward.class,
          StatsProvider.class);
  private static final int MAX_READ_RETRIES = 2;

  private final Provider delegate;
  private final ProviderBoundaryConfig config;
  private final MeterRegistry meters;
  private final ClassLoader providerLoader;
  private final ExecutorService calls;
  private final Map<Operation.Kind, CallGate> gates;
  private final BackendLimits limits;
  private final Provider proxy;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  private ProviderBoundary(Provider delegate, ProviderBoundaryConfig config, MeterRegistry meters) {
    this.delegate = requireNonNull(delegate, "delegate is null");
    this.config = requireNonNull(config, "config is null");
    this.meters = requireNonNull(meters, "meters is null");
    this.providerLoader = delegate.getClass().getClassLoader();
    this.calls = Executors.newCachedThreadPool(threads());
    BackendLimits declared = withProviderLoader(delegate::limits);
    if (declared == null) {
      declared = BackendLimits.NONE;
    }
    Optional<BackendLimits.Rate> reads = config.readRate().or(declared::reads);
    Optional<BackendLimits.Rate> writes = config.writeRate().or(declared::writes);
    this.limits = new BackendLimits(reads, writes);
    long now = System.nanoTime();
    this.gates =
        Map.of(
            Operation.Kind.READ,
            new CallGate(reads, config.throttleBackoff(), config.maxThrottleBackoff(), now),
            Operation.Kind.WRITE,
            new CallGate(writes, config.throttleBackoff(), config.maxThrottleBackoff(), now));
    this.proxy =
        (Provider)
            Proxy.newProxyInstance(
                Provider.class.getClassLoader(),
                spiInterfaces(delegate).toArray(Class<?>[]::new),
                new Handler());
  }

  /** Wraps a provider; {@link #close()} closes it and stops the boundary's call threads. */
  public static ProviderBoundary wrap(
      Provider delegate, ProviderBoundaryConfig config, MeterRegistry meters) {
    return new ProviderBoundary(delegate, config, meters);
  }

  /** {@link Provider} and those of its optional capabilities that {@code provider} implements. */
  public static List<Class<?>> spiInterfaces(Provider provider) {
    List<Class<?>> interfaces = new ArrayList<>();
    interfaces.add(Provider.class);
    for (Class<?> capability : CAPABILITIES) {
      if (capability.isInstance(provider)) {
        interfaces.add(capability);
      }
    }
    return List.copyOf(interfaces);
  }

  /** The provider to hand to every component of the core. */
  public Provider provider() {
    return proxy;
  }

  /** The wrapped provider. */
  public Provider delegate() {
    return delegate;
  }

  /** The limits in force: the configured rates, else those the provider declared. */
  public BackendLimits limits() {
    return limits;
  }

  @Override
  public void close() {
    try {
      withProviderLoader(
          () -> {
            delegate.close();
            return null;
          });
    } finally {
      calls.shutdownNow();
    }
  }

  private <T> T withProviderLoader(Callable0<T> action) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(providerLoader);
    try {
      return action.call();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @FunctionalInterface
  private interface Callable0<T> {
    T call();
  }

  private final class Handler implements InvocationHandler {
    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> self == args[0];
          case "hashCode" -> System.identityHashCode(self);
          default -> "ProviderBoundary[" + delegate + "]";
        };
      }
      if (method.getName().equals("limits") && method.getParameterCount() == 0) {
        return limits;
      }
      Optional<Operation> operation = Operation.byMethod(method.getName());
      if (operation.isEmpty()) {
        // close, notifyPodStatus: no backend call to bound
        return withProviderLoader(() -> invokeUnchecked(method, args));
      }
      Operation op = operation.get();
      Optional<Duration> timeout = config.timeout(op);
      if (op == Operation.CONTAINER_LOGS && args[3] instanceof LogOptions o && o.follow()) {
        timeout = Optional.empty();
      }
      try {
        return call(op, method, args, timeout);
      } catch (ProviderException e) {
        if (Arrays.asList(method.getExceptionTypes()).contains(ProviderException.class)) {
          throw e;
        }
        throw new ProviderCallFailure(e);
      }
    }
  }

  private Object invokeUnchecked(Method method, Object[] args) {
    try {
      return method.invoke(delegate, args);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  private Object call(Operation op, Method method, Object[] args, Optional<Duration> timeout)
      throws ProviderException {
    long start = System.nanoTime();
    boolean bounded = timeout.isPresent();
    long deadline = bounded ? start + timeout.get().toNanos() : 0;
    for (int attempt = 0; ; attempt++) {
      ProviderException failure;
      try {
        admit(op, deadline, bounded, timeout);
        return attempt(op, method, args, deadline, bounded, timeout);
      } catch (ProviderException e) {
        failure = e;
      }
      ErrorCode code = failure.code();
      boolean retry =
          op.idempotentRead
              && attempt < MAX_READ_RETRIES
              && code.retryable()
              && code != ErrorCode.THROTTLED
              && code != ErrorCode.QUOTA_EXCEEDED;
      long backoff = config.retryBackoff().toNanos() << attempt;
      if (!retry || (bounded && System.nanoTime() + backoff - deadline >= 0)) {
        throw failure;
      }
      log.debug("retrying provider call {} after {}: {}", op.method, code, failure.getMessage());
      sleep(backoff, op);
    }
  }

  /** Waits for a throttle pause to pass and for a token of the operation's kind. */
  private void admit(Operation op, long deadline, boolean bounded, Optional<Duration> timeout)
      throws ProviderException {
    CallGate gate = gates.get(op.kind);
    if (gate == null) {
      return;
    }
    while (true) {
      long now = System.nanoTime();
      long pause = gate.pauseRemaining(now);
      if (pause > 0) {
        if (bounded && now + pause - deadline > 0) {
          throw new ProviderException(
              ErrorCode.THROTTLED,
              "provider call "
                  + op.method
                  + " not sent: the backend throttled "
                  + op.kind.tag
                  + " for another "
                  + format(Duration.ofNanos(pause)),
              Duration.ofNanos(pause),
              null);
        }
        countWait(op, "throttled");
        sleep(pause, op);
        continue;
      }
      long wait = gate.reserve(now, deadline, bounded);
      if (wait < 0) {
        throw new ProviderException(
            ErrorCode.TRANSIENT,
            "provider call "
                + op.method
                + " timed out after "
                + format(timeout.orElseThrow())
                + " waiting for the "
                + op.kind.tag
                + " rate limit");
      }
      if (wait > 0) {
        countWait(op, "rate");
        sleep(wait, op);
      }
      return;
    }
  }

  private Object attempt(
      Operation op,
      Method method,
      Object[] args,
      long deadline,
      boolean bounded,
      Optional<Duration> timeout)
      throws ProviderException {
    long started = System.nanoTime();
    String code = "ok";
    try {
      Object result =
          bounded ? onCallThread(op, method, args, deadline, timeout) : inline(method, args, op);
      answered(op, null);
      return result;
    } catch (ProviderException e) {
      code = e.code().name();
      answered(op, e);
      throw e;
    } finally {
      timer(op, code).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
  }

  /** The call timer of the operation and outcome, looked up in the registry once. */
  private Timer timer(Operation op, String code) {
    return timers.computeIfAbsent(
        op.method + "\u0000" + code,
        k ->
            Timer.builder("vkj.provider.calls")
                .description("Provider calls by operation and outcome")
                .tag("operation", op.method)
                .tag("code", code)
                .register(meters));
  }

  private void answered(Operation op, ProviderException failure) {
    CallGate gate = gates.get(op.kind);
    if (gate == null) {
      return;
    }
    if (failure != null && failure.code() == ErrorCode.THROTTLED) {
      Duration pause = gate.throttled(System.nanoTime(), failure.retryAfter());
      log.info(
          "provider throttled {} ({}); pausing all provider {} for {}",
          op.method,
          failure.getMessage(),
          op.kind.tag,
          format(pause));
    } else {
      gate.answered();
    }
  }

  private Object inline(Method method, Object[] args, Operation op) throws ProviderException {
    return withProviderLoaderChecked(method, args, op);
  }

  private Object onCallThread(
      Operation op, Method method, Object[] args, long deadline, Optional<Duration> timeout)
      throws ProviderException {
    Future<Object> future;
    try {
      future = calls.submit(() -> withProviderLoaderChecked(method, args, op));
    } catch (RejectedExecutionException e) {
      throw new ProviderException(
          ErrorCode.TRANSIENT, "provider call " + op.method + " refused: the core is stopping");
    }
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new ProviderException(
          ErrorCode.TRANSIENT,
          "provider call " + op.method + " timed out after " + format(timeout.orElseThrow()));
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new ProviderException(
          ErrorCode.TRANSIENT, "interrupted while waiting for provider call " + op.method);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ProviderException p) {
        throw p;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw internal(op, cause);
    }
  }

  private Object withProviderLoaderChecked(Method method, Object[] args, Operation op)
      throws ProviderException {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(providerLoader);
    try {
      return method.invoke(delegate, args);
    } catch (IllegalAccessException e) {
      throw internal(op, e);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ProviderException p) {
        throw p;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw internal(op, cause);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /**
   * Only the exception's class goes into the message: messages reach pod status, events and HTTP
   * answers, and an unexpected exception's text may hold anything. The cause keeps the rest.
   */
  private static ProviderException internal(Operation op, Throwable cause) {
    return new ProviderException(
        ErrorCode.INTERNAL,
        "provider call " + op.method + " failed with " + cause.getClass().getSimpleName(),
        cause);
  }

  private void countWait(Operation op, String cause) {
    Counter.builder("vkj.provider.throttle.waits")
        .description("Provider calls that waited before being sent")
        .tag("kind", op.kind.tag)
        .tag("cause", cause)
        .register(meters)
        .increment();
  }

  private static void sleep(long nanos, Operation op) throws ProviderException {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(
          ErrorCode.TRANSIENT, "interrupted before provider call " + op.method);
    }
  }

  /** {@code 60s}, {@code 1500ms}, {@code 2m}: how the runner's options spell durations. */
  static String format(Duration d) {
    long millis = d.toMillis();
    if (millis % 60_000 == 0 && millis > 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }

  private static java.util.concurrent.ThreadFactory threads() {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "vkj-provider-call-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
