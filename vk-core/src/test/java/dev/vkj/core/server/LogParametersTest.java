package dev.vkj.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vkj.spi.LogOptions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

final class LogParametersTest {
  private static final Clock CLOCK = Clock.fixed(Fixtures.NOW, ZoneOffset.UTC);

  private static LogOptions parse(String query) throws HttpError {
    return LogParameters.parse(RequestPath.parse("/containerLogs/a/b/c?" + query).query(), CLOCK);
  }

  private static void assertStatus(String query, int status, String body) {
    assertThatThrownBy(() -> parse(query))
        .as(query)
        .isInstanceOfSatisfying(
            HttpError.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(status);
              assertThat(e.getMessage()).isEqualTo(body);
            });
  }

  @Test
  void noParametersMeansEverythingOnce() throws HttpError {
    assertThat(parse("")).isEqualTo(LogOptions.defaults());
  }

  @Test
  void parsesEveryParameter() throws HttpError {
    LogOptions options =
        parse(
            "follow=true&previous=1&timestamps=TRUE&tailLines=10&limitBytes=500"
                + "&sinceTime=2026-11-26T09:00:00Z&container=ignored&insecureSkipTLSVerifyBackend=1");

    assertThat(options)
        .isEqualTo(
            new LogOptions(
                OptionalInt.of(10),
                OptionalLong.of(500),
                true,
                true,
                true,
                Optional.of(Instant.parse("2026-11-26T09:00:00Z"))));
  }

  @Test
  void booleansAreFalseOnlyForZeroAndFalse() throws HttpError {
    assertThat(parse("follow=0").follow()).isFalse();
    assertThat(parse("follow=False").follow()).isFalse();
    assertThat(parse("follow=").follow()).isTrue();
    assertThat(parse("follow").follow()).isTrue();
    assertThat(parse("follow=yes").follow()).isTrue();
  }

  @Test
  void sinceSecondsBecomesAnInstant() throws HttpError {
    assertThat(parse("sinceSeconds=60").sinceTime()).contains(Fixtures.NOW.minusSeconds(60));
    assertThat(parse("sinceSeconds=9223372036854775807").sinceTime()).contains(Instant.EPOCH);
  }

  @Test
  void sinceTimeAcceptsFractionsAndOffsets() throws HttpError {
    assertThat(parse("sinceTime=2026-11-26T10:00:00.5%2B01:00").sinceTime())
        .contains(Instant.parse("2026-11-26T09:00:00.5Z"));
    assertThat(parse("sinceTime=").sinceTime()).isEmpty();
  }

  @Test
  void legacyTailOverridesTailLines() throws HttpError {
    assertThat(parse("tail=5&tailLines=7").tailLines()).hasValue(5);
    assertThat(parse("tail=all&tailLines=7").tailLines()).isEmpty();
    assertThat(parse("tailLines=0").tailLines()).hasValue(0);
    assertThat(parse("tailLines=99999999999").tailLines()).hasValue(Integer.MAX_VALUE);
  }

  @Test
  void undecodableValuesAre400() {
    for (String query :
        new String[] {
          "tailLines=x",
          "tailLines=",
          "limitBytes=1.5",
          "sinceSeconds=0x10",
          "tailLines=99999999999999999999",
          "tailLines=%D9%A1",
          "sinceTime=yesterday",
          "sinceTime=2026-11-26T10:00Z",
          "sinceTime=2026-11-26 10:00:00Z",
          "tail=x"
        }) {
      assertStatus(query, 400, LogParameters.UNDECODABLE);
    }
  }

  @Test
  void invalidValuesAre422LikeTheKubelet() {
    for (String query :
        new String[] {
          "tailLines=-1",
          "limitBytes=0",
          "limitBytes=-5",
          "sinceSeconds=0",
          "sinceSeconds=10&sinceTime=2026-11-26T09:00:00Z"
        }) {
      assertStatus(query, 422, LogParameters.INVALID);
    }
  }
}
