/**
 * The provider SPI of vkj: everything a backend needs to implement to run the pods of a virtual
 * node.
 *
 * <p>A provider is a jar with a {@link dev.vkj.spi.ProviderFactory} listed in {@code
 * META-INF/services/dev.vkj.spi.ProviderFactory}. The runner finds it with {@link
 * java.util.ServiceLoader}, validates the configuration against {@link
 * dev.vkj.spi.ProviderFactory#configKeys()} and calls {@link
 * dev.vkj.spi.ProviderFactory#create(ProviderConfig, ProviderContext)} once.
 *
 * <p>The returned {@link dev.vkj.spi.Provider} implements the pod lifecycle and describes the node.
 * Optional capabilities are separate interfaces that the provider object may also implement; the
 * core discovers them with {@code instanceof}:
 *
 * <ul>
 *   <li>{@link dev.vkj.spi.PodStatusNotifier}: push pod status changes (otherwise the core polls
 *       {@link dev.vkj.spi.Provider#getPodStatus}),
 *   <li>{@link dev.vkj.spi.ContainerLogs}: {@code kubectl logs},
 *   <li>{@link dev.vkj.spi.ContainerExec}: {@code kubectl exec} and {@code kubectl attach},
 *   <li>{@link dev.vkj.spi.PortForward}: {@code kubectl port-forward},
 *   <li>{@link dev.vkj.spi.StatsProvider}: {@code /stats/summary} and {@code /metrics/resource}
 *       ({@code kubectl top}, metrics-server, HPA).
 * </ul>
 *
 * <p>A capability the provider lacks is answered with HTTP 501 at the kubelet API.
 */
package dev.vkj.spi;
