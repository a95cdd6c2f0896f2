/**
 * Testing support for provider authors: the conformance kit {@link
 * dev.vkj.testing.ProviderConformanceTest} that every provider's test suite extends, and the fakes
 * it is built on ({@link dev.vkj.testing.FakeProviderContext}, {@link
 * dev.vkj.testing.MutableClock}, {@link dev.vkj.testing.InMemoryClusterResources}, {@link
 * dev.vkj.testing.RecordingEventRecorder}, {@link dev.vkj.testing.RecordingStatusListener}), pod
 * fixtures ({@link dev.vkj.testing.PodFixtures}) and polling without sleeps ({@link
 * dev.vkj.testing.Eventually}).
 *
 * <p>Depend on {@code dev.vkj:vk-testing} in test scope; it brings JUnit 5 and AssertJ.
 */
package dev.vkj.testing;
