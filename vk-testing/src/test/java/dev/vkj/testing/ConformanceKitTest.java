package dev.vkj.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.vkj.testing.InMemoryProvider.Flaw;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Every check of the conformance kit fails for a provider broken in the way it covers, and no check
 * is skipped by accident: a sound provider runs every check, and only the checks of capabilities it
 * lacks are skipped.
 */
class ConformanceKitTest {
  /** Every check of the kit. */
  static final Set<String> ALL_CHECKS =
      Set.of(
          "factoryIsRegisteredWithServiceLoader",
          "factoryNameIsValid",
          "factoryDeclaresItsConfigKeys",
          "unknownConfigKeyIsRejected",
          "secretConfigValuesAreNeverShown",
          "createThenGetListAndStatus",
          "unknownPodIsEmpty",
          "createTwiceIsIdempotent",
          "deleteUnknownPodSucceeds",
          "deleteTerminatesThenRemoves",
          "statusHasOneContainerStatusPerContainer",
          "describeNodeHasCapacity",
          "pingWorks",
          "impossiblePodIsInvalidInput",
          "labelOnlyUpdateKeepsPodRunning",
          "restartedProviderListsPodWithUidAndSpecHash",
          "secretEnvValueIsNeverReturned",
          "capabilitiesAreTheExpectedOnes",
          "statusPushAfterCreate",
          "logsOfUnknownPodNotFound",
          "logsOfRunningPod",
          "execOfUnknownPodNotFound",
          "execInRunningPod",
          "portForwardOfUnknownPodNotFound",
          "portForwardToRunningPod",
          "statsOfRunningPod",
          "logsMissingAnswer501",
          "execMissingAnswer501",
          "portForwardMissingAnswer501",
          "statsMissingAnswer501",
          "throughCoreRunsAndDeletesPods",
          "throughCoreRestartAdoptsWithoutCreateOrUpdate");

  /** What a provider with every capability runs through the API instead. */
  static final Set<String> MISSING_CAPABILITY_CHECKS =
      Set.of(
          "logsMissingAnswer501",
          "execMissingAnswer501",
          "portForwardMissingAnswer501",
          "statsMissingAnswer501");

  /** What a provider without optional capabilities cannot run. */
  static final Set<String> CAPABILITY_CHECKS =
      Set.of(
          "statusPushAfterCreate",
          "logsOfUnknownPodNotFound",
          "logsOfRunningPod",
          "execOfUnknownPodNotFound",
          "execInRunningPod",
          "portForwardOfUnknownPodNotFound",
          "portForwardToRunningPod",
          "statsOfRunningPod");

  /** Flaws that only a provider with the optional capabilities can have. */
  static final Set<Flaw> CAPABLE_FLAWS =
      Set.of(
          Flaw.NO_PUSH,
          Flaw.LOGS_OF_UNKNOWN_POD,
          Flaw.LOGS_WRONG_TEXT,
          Flaw.EXEC_IN_UNKNOWN_POD,
          Flaw.EXEC_WRONG_OUTPUT,
          Flaw.PORT_FORWARD_TO_UNKNOWN_POD,
          Flaw.PORT_FORWARD_NO_ECHO,
          Flaw.STATS_ZERO,
          Flaw.HIDES_LOGS,
          Flaw.HIDES_EXEC,
          Flaw.HIDES_PORT_FORWARD,
          Flaw.HIDES_STATS);

  /**
   * The checks each flaw must fail; a flaw that breaks what several checks rely on fails them all.
   */
  static Set<String> expectedFailures(Flaw flaw) {
    return switch (flaw) {
      case NONE -> Set.of();
      case UNREGISTERED -> Set.of("factoryIsRegisteredWithServiceLoader");
      case BAD_NAME -> Set.of("factoryNameIsValid");
      case DUPLICATE_CONFIG_KEY -> Set.of("factoryDeclaresItsConfigKeys");
      case CONFIG_KEYS_NULL ->
          Set.of(
              "factoryDeclaresItsConfigKeys",
              "unknownConfigKeyIsRejected",
              "secretConfigValuesAreNeverShown");
      case PRINTS_SECRET_CONFIG -> Set.of("secretConfigValuesAreNeverShown");
      case NOT_LISTED ->
          Set.of(
              "createThenGetListAndStatus",
              "createTwiceIsIdempotent",
              "restartedProviderListsPodWithUidAndSpecHash");
      case HANGS_ON_UNKNOWN_POD -> Set.of("unknownPodIsEmpty");
      case DUPLICATES_ON_SECOND_CREATE -> Set.of("createTwiceIsIdempotent");
      case DELETE_OF_UNKNOWN_FAILS ->
          Set.of("deleteUnknownPodSucceeds", "deleteTerminatesThenRemoves");
      case NO_CONTAINER_STATUSES ->
          Set.of(
              "statusHasOneContainerStatusPerContainer",
              "deleteTerminatesThenRemoves",
              "labelOnlyUpdateKeepsPodRunning",
              "restartedProviderListsPodWithUidAndSpecHash",
              "secretEnvValueIsNeverReturned");
      case NO_PODS_CAPACITY -> Set.of("describeNodeHasCapacity");
      case PING_FAILS -> Set.of("pingWorks");
      case NEVER_REMOVED -> Set.of("deleteTerminatesThenRemoves", "throughCoreRunsAndDeletesPods");
      case ACCEPTS_IMPOSSIBLE_POD -> Set.of("impossiblePodIsInvalidInput");
      case RESTARTS_ON_UPDATE, KEEPS_OLD_SPEC_HASH -> Set.of("labelOnlyUpdateKeepsPodRunning");
      case DROPS_SPEC_HASH ->
          Set.of(
              "labelOnlyUpdateKeepsPodRunning",
              "restartedProviderListsPodWithUidAndSpecHash",
              "throughCoreRunsAndDeletesPods",
              "throughCoreRestartAdoptsWithoutCreateOrUpdate");
      case FORGETS_ON_RESTART ->
          Set.of(
              "restartedProviderListsPodWithUidAndSpecHash",
              "throughCoreRestartAdoptsWithoutCreateOrUpdate");
      case ECHOES_SECRET_VALUE -> Set.of("secretEnvValueIsNeverReturned");
      case CLAIMS_MISSING_LOGS ->
          Set.of("capabilitiesAreTheExpectedOnes", "logsOfUnknownPodNotFound", "logsOfRunningPod");
      case NO_PUSH -> Set.of("statusPushAfterCreate");
      case LOGS_OF_UNKNOWN_POD -> Set.of("logsOfUnknownPodNotFound");
      case LOGS_WRONG_TEXT -> Set.of("logsOfRunningPod");
      case EXEC_IN_UNKNOWN_POD -> Set.of("execOfUnknownPodNotFound");
      case EXEC_WRONG_OUTPUT -> Set.of("execInRunningPod");
      case PORT_FORWARD_TO_UNKNOWN_POD -> Set.of("portForwardOfUnknownPodNotFound");
      case PORT_FORWARD_NO_ECHO -> Set.of("portForwardToRunningPod");
      case STATS_ZERO -> Set.of("statsOfRunningPod");
      case HIDES_LOGS -> Set.of("capabilitiesAreTheExpectedOnes", "logsMissingAnswer501");
      case HIDES_EXEC -> Set.of("capabilitiesAreTheExpectedOnes", "execMissingAnswer501");
      case HIDES_PORT_FORWARD ->
          Set.of("capabilitiesAreTheExpectedOnes", "portForwardMissingAnswer501");
      case HIDES_STATS -> Set.of("capabilitiesAreTheExpectedOnes", "statsMissingAnswer501");
    };
  }

  @ParameterizedTest(name = "capabilities={0}")
  @ValueSource(booleans = {false, true})
  void aSoundProviderRunsEveryCheckAndSkipsOnlyAbsentCapabilities(boolean capable) {
    Result result = run(Flaw.NONE, capable);
    assertThat(result.failed()).as("failed checks: %s", result.messages()).isEmpty();
    assertThat(result.finished()).as("checks run").isEqualTo(new TreeSet<>(ALL_CHECKS));
    assertThat(result.aborted())
        .as("skipped checks")
        .isEqualTo(new TreeSet<>(capable ? MISSING_CAPABILITY_CHECKS : CAPABILITY_CHECKS));
  }

  @ParameterizedTest
  @EnumSource(value = Flaw.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void eachDefectFailsTheMatchingChecks(Flaw flaw) {
    Result result = run(flaw, CAPABLE_FLAWS.contains(flaw));
    assertThat(result.failed())
        .as("checks failed by %s: %s", flaw, result.messages())
        .isEqualTo(new TreeSet<>(expectedFailures(flaw)));
    if (flaw == Flaw.HANGS_ON_UNKNOWN_POD) {
      assertThat(result.messages().get("unknownPodIsEmpty"))
          .contains("getPod conformance/no-such-pod did not return within");
    }
  }

  @org.junit.jupiter.api.Test
  void everyCheckIsProvenToFail() {
    Set<String> proven = new TreeSet<>();
    for (Flaw flaw : Flaw.values()) {
      proven.addAll(expectedFailures(flaw));
    }
    assertThat(proven).isEqualTo(new TreeSet<>(ALL_CHECKS));
  }

  record Result(
      Set<String> finished,
      Set<String> failed,
      Set<String> aborted,
      Map<String, String> messages) {}

  private static synchronized Result run(Flaw flaw, boolean capable) {
    FlawedProviderConformance.flaw = flaw;
    FlawedProviderConformance.capable = capable;
    Set<String> finished = new TreeSet<>();
    Set<String> failed = new TreeSet<>();
    Set<String> aborted = new TreeSet<>();
    Map<String, String> messages = new ConcurrentHashMap<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(FlawedProviderConformance.class))
            .build(),
        new TestExecutionListener() {
          @Override
          public synchronized void executionFinished(
              TestIdentifier id, TestExecutionResult result) {
            if (!id.isTest()) {
              return;
            }
            String legacy = id.getLegacyReportingName();
            String name = legacy.substring(0, legacy.indexOf('('));
            finished.add(name);
            switch (result.getStatus()) {
              case FAILED -> failed.add(name);
              case ABORTED -> aborted.add(name);
              default -> {}
            }
            result
                .getThrowable()
                .ifPresent(t -> messages.put(name, String.valueOf(t.getMessage())));
          }
        });
    return new Result(finished, failed, aborted, messages);
  }
}
