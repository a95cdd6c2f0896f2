package dev.vkj.spi;

import java.util.List;

/** Optional capability: {@code kubectl exec} and {@code kubectl attach}. */
public interface ContainerExec {
  /**
   * Runs a command in a running container and blocks until it ends or the client disconnects.
   *
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param container the container's name, as in the pod spec
   * @param command the command and its arguments, not interpreted by a shell
   * @param io the client's streams
   * @return the command's exit code; non-zero codes reach kubectl as {@code command terminated with
   *     exit code N}
   * @throws ProviderException {@link ErrorCode#NOT_FOUND} for an unknown pod or container, {@link
   *     ErrorCode#INVALID_INPUT} for a command the backend cannot run
   */
  int exec(String namespace, String pod, String container, List<String> command, AttachIO io)
      throws ProviderException;

  /**
   * Attaches to the main process of a running container and blocks until the client detaches or the
   * process ends.
   *
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param container the container's name, as in the pod spec
   * @param io the client's streams
   * @return the exit code of the process when it ended, 0 when the client detached
   * @throws ProviderException {@link ErrorCode#UNSUPPORTED} when the backend cannot attach, {@link
   *     ErrorCode#NOT_FOUND} for an unknown pod or container
   */
  int attach(String namespace, String pod, String container, AttachIO io) throws ProviderException;
}
