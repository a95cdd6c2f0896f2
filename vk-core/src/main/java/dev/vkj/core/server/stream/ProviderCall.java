package dev.vkj.core.server.stream;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.ContainerExec;
import dev.vkj.spi.ErrorCode;
import dev.vkj.spi.ProviderException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one exec or attach call on the blocking executor and maps its outcome to an {@link
 * ExecStatus}. Cancelling it (client gone) closes the session streams and interrupts the thread; a
 * normal end does not interrupt.
 */
final class ProviderCall {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderCall.class);

  private final ContainerExec exec;
  private final StreamRequest request;
  private final SessionIO io;
  private final ExecutorService executor;
  private Future<?> future;
  private boolean returned;
  private boolean cancelled;

  ProviderCall(ContainerExec exec, StreamRequest request, SessionIO io, ExecutorService executor) {
    this.exec = requireNonNull(exec, "exec is null");
    this.request = requireNonNull(request, "request is null");
    this.io = requireNonNull(io, "io is null");
    this.executor = requireNonNull(executor, "executor is null");
  }

  /**
   * Starts the call; {@code onEnd} runs on the blocking thread with the status unless the call was
   * cancelled. When no thread is available {@code onEnd} runs at once with an InternalError.
   */
  synchronized void start(Consumer<ExecStatus> onEnd) {
    if (future != null || cancelled) {
      return;
    }
    try {
      future =
          executor.submit(
              () -> {
                ExecStatus status = run();
                synchronized (this) {
                  returned = true;
                  if (cancelled) {
                    return;
                  }
                }
                onEnd.accept(status);
              });
    } catch (RejectedExecutionException e) {
      LOG.warn("no thread available for {} in pod {}/{}", kindName(), ns(), request.pod());
      onEnd.accept(ExecStatus.internalError(prefix() + "the server is too busy, try again"));
    }
  }

  /** The client went away: close the streams and interrupt a running provider call. */
  void cancel() {
    Future<?> running;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      running = returned ? null : future;
    }
    io.abort();
    if (running != null) {
      running.cancel(true);
    }
  }

  synchronized boolean isCancelled() {
    return cancelled;
  }

  private ExecStatus run() {
    try {
      if (request.kind() == StreamRequest.Kind.ATTACH) {
        // like the kubelet: attach reports success whatever the process exit code was
        exec.attach(request.namespace(), request.pod(), request.container(), io);
        return ExecStatus.ok();
      }
      int code =
          exec.exec(request.namespace(), request.pod(), request.container(), request.command(), io);
      return code == 0 ? ExecStatus.ok() : ExecStatus.nonZeroExit(request.command(), code);
    } catch (ProviderException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return ExecStatus.notFound(e.getMessage());
      }
      if (!isCancelled()) {
        LOG.info(
            "{} in pod {}/{} failed: {} ({})",
            kindName(),
            ns(),
            request.pod(),
            e.getMessage(),
            e.code());
      }
      return ExecStatus.internalError(prefix() + e.getMessage());
    } catch (RuntimeException e) {
      if (!isCancelled()) {
        LOG.warn("provider failed during {} in pod {}/{}", kindName(), ns(), request.pod(), e);
      }
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return ExecStatus.internalError(prefix() + message);
    }
  }

  private String prefix() {
    return request.kind() == StreamRequest.Kind.ATTACH
        ? "error attaching to container: "
        : "error executing command in container: ";
  }

  private String kindName() {
    return request.kind() == StreamRequest.Kind.ATTACH ? "attach" : "exec";
  }

  private String ns() {
    return request.namespace();
  }
}
