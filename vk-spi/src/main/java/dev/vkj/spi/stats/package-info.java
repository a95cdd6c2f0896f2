/**
 * Resource usage reported by a {@link dev.vkj.spi.StatsProvider}, shaped after the kubelet's stats
 * summary API ({@code stats/v1alpha1}); the core renders it as that JSON and as Prometheus metrics.
 */
package dev.vkj.spi.stats;
