package dev.vkj.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** The conformance kit fails for each kind of broken provider, in the test that covers it. */
class ConformanceKitTest {
  @ParameterizedTest
  @EnumSource(InMemoryProvider.Flaw.class)
  void eachDefectFailsTheMatchingTest(InMemoryProvider.Flaw flaw) {
    FlawedProviderConformance.flaw = flaw;
    Set<String> failed = run();
    Set<String> expected =
        switch (flaw) {
          case NONE -> Set.of();
          case DUPLICATES_ON_SECOND_CREATE -> Set.of("createTwiceIsIdempotent");
          case DELETE_OF_UNKNOWN_FAILS ->
              Set.of("deleteUnknownPodSucceeds", "deleteTerminatesThenRemoves");
          case NO_CONTAINER_STATUSES ->
              Set.of("statusHasOneContainerStatusPerContainer", "deleteTerminatesThenRemoves");
          case NO_PODS_CAPACITY -> Set.of("describeNodeHasCapacity");
          case NEVER_REMOVED -> Set.of("deleteTerminatesThenRemoves");
        };
    assertThat(failed).isEqualTo(expected);
  }

  private static Set<String> run() {
    List<String> failures = new CopyOnWriteArrayList<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(FlawedProviderConformance.class))
            .build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest() && result.getStatus() == TestExecutionResult.Status.FAILED) {
              String legacy = id.getLegacyReportingName();
              failures.add(legacy.substring(0, legacy.indexOf('(')));
            }
          }
        });
    return failures.stream().collect(Collectors.toSet());
  }
}
