package dev.vkj.spi;

import java.io.InputStream;

/** Optional capability: {@code kubectl logs}. */
public interface ContainerLogs {
  /**
   * Opens the log of one container. The core copies the stream to the client and closes it when the
   * client goes away. With {@link LogOptions#follow()} the stream blocks for new lines and ends
   * (returns -1) when the container ends; closing it must unblock a pending read.
   *
   * @throws ProviderException {@link ErrorCode#NOT_FOUND} for an unknown pod or container
   */
  InputStream containerLogs(String namespace, String pod, String container, LogOptions options)
      throws ProviderException;
}
