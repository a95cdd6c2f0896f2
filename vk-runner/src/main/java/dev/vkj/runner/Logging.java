package dev.vkj.runner;

/**
 * Configures slf4j-simple through its system properties. It reads them when the first logger is
 * created, so this runs before anything logs; explicit {@code -D} settings win, except the level.
 */
final class Logging {
  private static final String PREFIX = "org.slf4j.simpleLogger.";

  private Logging() {}

  static void configure(String level) {
    System.setProperty(PREFIX + "defaultLogLevel", level);
    setIfAbsent("logFile", "System.err");
    setIfAbsent("showDateTime", "true");
    setIfAbsent("dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    setIfAbsent("showThreadName", "false");
    setIfAbsent("showShortLogName", "true");
    setIfAbsent("levelInBrackets", "true");
    // Netty reports listeners it can no longer run once its event loop has stopped: expected
    // while the runner shuts down, and an ERROR line there only alarms users
    setIfAbsent("log.io.netty.util.concurrent.DefaultPromise.rejectedExecution", "off");
    // the azure provider turns the SDK's retries off (the core retries through its limiter), and
    // the SDK then reports every answer it does not retry, a 404 included, at info
    if (!level.equals("debug") && !level.equals("trace")) {
      setIfAbsent("log.com.azure.core.http.policy.RetryPolicy", "warn");
    }
    // the HTTP stack is chatty at debug; its debug output only comes with trace
    if (level.equals("debug")) {
      setIfAbsent("log.io.netty", "info");
      setIfAbsent("log.io.vertx", "info");
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(PREFIX + key) == null) {
      System.setProperty(PREFIX + key, value);
    }
  }
}
