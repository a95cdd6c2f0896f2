/**
 * The {@code mock} provider: an in-memory backend that simulates containers the way a kubelet
 * reports them, for demos, tests and benchmarks. The entry point is {@link
 * dev.vkj.provider.mock.MockProviderFactory}; everything else is internal.
 */
package dev.vkj.provider.mock;
