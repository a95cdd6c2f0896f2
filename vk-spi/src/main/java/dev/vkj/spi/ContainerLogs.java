package dev.vkj.spi;

import java.io.InputStream;

/** Optional capability: {@code kubectl logs}. */
public interface ContainerLogs {
  /**
   * Opens the log of one container. The core copies the stream to the client and closes it when the
   * client goes away. With {@link LogOptions#follow()} the stream blocks for new lines and ends
   * (returns -1) when the container ends; closing it must unblock a pending read.
   *
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param container the container's name, as in the pod spec
   * @param options what part of the log to return, and whether to follow it
   * @return the log text, UTF-8, one entry per line
   * @throws ProviderException {@link ErrorCode#NOT_FOUND} for an unknown pod or container
   */
  InputStream containerLogs(String namespace, String pod, String container, LogOptions options)
      throws ProviderException;
}
