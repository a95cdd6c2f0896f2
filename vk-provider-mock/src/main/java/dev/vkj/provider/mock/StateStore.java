package dev.vkj.provider.mock;

import static java.util.Objects.requireNonNull;

import dev.vkj.provider.mock.SimContainer.Termination;
import dev.vkj.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Saves and loads every simulated pod as one JSON file. A save writes a temporary file next to the
 * target, forces it to disk and renames it over the target, so a crash never leaves a half-written
 * state and a finished save survives a crash.
 */
final class StateStore {
  private static final Logger log = LoggerFactory.getLogger(StateStore.class);

  static final int FORMAT_VERSION = 1;

  record State(int version, String nodeName, List<PodRecord> pods) {}

  record PodRecord(
      Pod pod,
      String ip,
      String createdAt,
      long startupDelayMillis,
      String deletedAt,
      String removeAt,
      String deadlineAt,
      boolean deadlineExceeded,
      String phase,
      List<ContainerRecord> containers,
      List<ConditionRecord> conditions) {}

  record ContainerRecord(
      String name,
      String image,
      String phase,
      String waitingReason,
      String waitingMessage,
      int instances,
      String startedAt,
      String containerId,
      TerminationRecord terminated,
      TerminationRecord last,
      String nextAt,
      String nextAction,
      int pendingExitCode,
      long backoffMillis,
      String backoffUpdated) {}

  record TerminationRecord(
      int exitCode,
      String reason,
      String message,
      String startedAt,
      String finishedAt,
      String containerId,
      int instance) {
    static TerminationRecord of(Termination t) {
      if (t == null) {
        return null;
      }
      return new TerminationRecord(
          t.exitCode(),
          t.reason(),
          t.message(),
          t.startedAt() == null ? null : t.startedAt().toString(),
          t.finishedAt().toString(),
          t.containerId(),
          t.instance());
    }

    Termination toTermination() {
      return new Termination(
          exitCode,
          reason,
          message,
          startedAt == null ? null : Instant.parse(startedAt),
          Instant.parse(finishedAt),
          containerId,
          instance);
    }
  }

  record ConditionRecord(String type, String status, String reason, String message, String since) {}

  private final Path file;
  private final JsonMapper mapper;

  StateStore(Path file) {
    this.file = requireNonNull(file, "file is null");
    this.mapper =
        JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  }

  Path file() {
    return file;
  }

  /**
   * Reads the state; an absent file is an empty state. Anything unreadable is an INVALID_CONFIG
   * naming {@code stateFile}, so the runner stops instead of silently forgetting pods.
   */
  State load(String nodeName) throws ProviderException {
    if (!Files.exists(file)) {
      checkWritable();
      return new State(FORMAT_VERSION, nodeName, List.of());
    }
    State state;
    try {
      state = mapper.readValue(file.toFile(), State.class);
    } catch (JacksonException e) {
      throw ProviderException.invalidConfig(
          MockConfig.STATE_FILE,
          "cannot read the state file "
              + file
              + " (corrupt or not written by this provider): "
              + e.getOriginalMessage());
    }
    if (state == null || state.pods() == null) {
      throw ProviderException.invalidConfig(
          MockConfig.STATE_FILE, "the state file " + file + " holds no pod list");
    }
    if (state.version() != FORMAT_VERSION) {
      throw ProviderException.invalidConfig(
          MockConfig.STATE_FILE,
          "the state file "
              + file
              + " has format version "
              + state.version()
              + "; this provider reads version "
              + FORMAT_VERSION);
    }
    if (state.nodeName() != null && !state.nodeName().equals(nodeName)) {
      throw ProviderException.invalidConfig(
          MockConfig.STATE_FILE,
          "the state file "
              + file
              + " belongs to node "
              + state.nodeName()
              + ", not to "
              + nodeName
              + "; use one state file per node");
    }
    for (PodRecord pod : state.pods()) {
      if (pod == null
          || pod.pod() == null
          || pod.pod().getMetadata() == null
          || pod.pod().getSpec() == null
          || pod.ip() == null
          || pod.createdAt() == null
          || pod.containers() == null
          || pod.conditions() == null) {
        throw ProviderException.invalidConfig(
            MockConfig.STATE_FILE, "the state file " + file + " has an incomplete pod entry");
      }
    }
    return state;
  }

  private void checkWritable() throws ProviderException {
    Path parent = file.toAbsolutePath().getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw ProviderException.invalidConfig(
          MockConfig.STATE_FILE, "cannot create the directory of " + file + ": " + e.getMessage());
    }
    if (parent != null && !Files.isWritable(parent)) {
      throw ProviderException.invalidConfig(
          MockConfig.STATE_FILE, "the directory of " + file + " is not writable");
    }
  }

  /**
   * Writes the state atomically and durably: a temporary file is written and forced to disk, then
   * renamed over the target, and the rename is forced to disk through the directory.
   */
  void save(State state) throws IOException {
    byte[] json;
    try {
      json = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(state);
    } catch (JacksonException e) {
      throw new IOException("cannot serialize the mock state: " + e.getOriginalMessage(), e);
    }
    Path target = file.toAbsolutePath();
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    try (FileChannel channel = createOwnerOnly(temp)) {
      ByteBuffer buffer = ByteBuffer.wrap(json);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    forceDirectory(target.getParent());
  }

  private static FileChannel createOwnerOnly(Path path) throws IOException {
    Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      // Pod specs carry env values the core resolved from Secrets: owner-only access.
      return FileChannel.open(
          path,
          options,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      return FileChannel.open(path, options);
    }
  }

  /** Makes a rename durable where the platform allows opening a directory (Linux, macOS). */
  private static void forceDirectory(Path directory) {
    if (directory == null) {
      return;
    }
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      // Windows cannot open a directory; its rename is as durable as it gets there
      log.debug("cannot force the directory {} to disk: {}", directory, e.toString());
    }
  }
}
