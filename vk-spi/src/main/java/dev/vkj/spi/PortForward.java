package dev.vkj.spi;

import java.io.InputStream;
import java.io.OutputStream;

/** Optional capability: {@code kubectl port-forward}. */
public interface PortForward {
  /**
   * Connects one client connection to a port of the pod and copies data both ways until either side
   * closes. Blocks for the lifetime of the connection; the core interrupts the thread and closes
   * the streams when the client goes away.
   *
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param port the pod's port to connect to
   * @param fromClient bytes the client sends to the pod's port
   * @param toClient bytes the pod's port sends back
   * @throws ProviderException {@link ErrorCode#NOT_FOUND} for an unknown pod, {@link
   *     ErrorCode#INVALID_INPUT} when nothing listens on the port
   */
  void portForward(
      String namespace, String pod, int port, InputStream fromClient, OutputStream toClient)
      throws ProviderException;
}
