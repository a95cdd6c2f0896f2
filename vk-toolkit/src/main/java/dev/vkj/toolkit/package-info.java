/**
 * Helpers a provider needs and should not write again: {@link dev.vkj.toolkit.PodResources} (pod
 * requests, limits and QoS class as Kubernetes computes them), {@link
 * dev.vkj.toolkit.PollingLogStream} ({@code kubectl logs} over a backend that only returns log
 * text), {@link dev.vkj.toolkit.ContainerStatuses} (container statuses as the kubelet writes them)
 * {@link dev.vkj.toolkit.BatchReader} (many keys read in calls of at most N) and {@link
 * dev.vkj.toolkit.TokenBucket} (pacing the backend calls one SPI call makes). The toolkit depends
 * only on the SPI.
 */
package dev.vkj.toolkit;
