package dev.vkj.core.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: every line must be a
 * HELP, TYPE or sample line ending in a newline; HELP before TYPE before samples; a family appears
 * in one block only; label values use only the three legal escapes; no duplicate series.
 */
final class Exposition {
  record Sample(
      String name, Map<String, String> labels, double value, String rawValue, Long timestamp) {}

  record Family(String name, String help, String type, List<Sample> samples) {}

  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE =
      Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE_NAME = Pattern.compile(NAME);
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern VALUE =
      Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|NaN|[+-]Inf");
  private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");

  private Exposition() {}

  static List<Family> parse(String text) {
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("the last line does not end with a newline");
    }
    List<Family> families = new ArrayList<>();
    Set<String> closed = new HashSet<>();
    Set<String> series = new HashSet<>();
    String current = null;
    String help = null;
    String type = null;
    List<Sample> samples = null;
    int lineNo = 0;
    for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
      lineNo++;
      String where = "line " + lineNo + ": " + line;
      if (line.isEmpty()) {
        throw new IllegalArgumentException("empty " + where);
      }
      Matcher m;
      if ((m = HELP.matcher(line)).matches()) {
        if (current != null) {
          families.add(new Family(current, help, type, samples));
          closed.add(current);
        }
        current = m.group(1);
        if (closed.contains(current)) {
          throw new IllegalArgumentException("family appears twice, " + where);
        }
        help = unescapeHelp(m.group(2), where);
        type = null;
        samples = new ArrayList<>();
      } else if ((m = TYPE.matcher(line)).matches()) {
        if (!m.group(1).equals(current) || type != null || !samples.isEmpty()) {
          throw new IllegalArgumentException("TYPE out of place, " + where);
        }
        type = m.group(2);
      } else if (line.startsWith("#")) {
        throw new IllegalArgumentException("unexpected comment, " + where);
      } else {
        if (current == null || type == null) {
          throw new IllegalArgumentException("sample before HELP/TYPE, " + where);
        }
        Sample sample = sample(line, where);
        if (!sample.name().equals(current)) {
          throw new IllegalArgumentException("sample of another family, " + where);
        }
        if (!series.add(sample.name() + sample.labels())) {
          throw new IllegalArgumentException("duplicate series, " + where);
        }
        samples.add(sample);
      }
    }
    if (current != null) {
      families.add(new Family(current, help, type, samples));
    }
    return families;
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    if (!SAMPLE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad metric name, " + where);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        if (line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        if (eq < 0) {
          throw new IllegalArgumentException("bad label, " + where);
        }
        String label = line.substring(i, eq);
        if (!LABEL_NAME.matcher(label).matches() || labels.containsKey(label)) {
          throw new IllegalArgumentException("bad label name " + label + ", " + where);
        }
        i = eq + 1;
        if (line.charAt(i) != '"') {
          throw new IllegalArgumentException("unquoted label value, " + where);
        }
        i++;
        StringBuilder value = new StringBuilder();
        while (line.charAt(i) != '"') {
          char c = line.charAt(i);
          if (c == '\\') {
            char next = line.charAt(i + 1);
            switch (next) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> throw new IllegalArgumentException("bad escape, " + where);
            }
            i += 2;
          } else {
            value.append(c);
            i++;
          }
        }
        i++;
        labels.put(label, value.toString());
        if (line.charAt(i) == ',') {
          i++;
        } else if (line.charAt(i) != '}') {
          throw new IllegalArgumentException("bad label separator, " + where);
        }
      }
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new IllegalArgumentException("no value, " + where);
    }
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length > 2 || !VALUE.matcher(rest[0]).matches()) {
      throw new IllegalArgumentException("bad value, " + where);
    }
    Long timestamp = null;
    if (rest.length == 2) {
      if (!TIMESTAMP.matcher(rest[1]).matches()) {
        throw new IllegalArgumentException("bad timestamp, " + where);
      }
      timestamp = Long.parseLong(rest[1]);
    }
    double value =
        switch (rest[0]) {
          case "NaN" -> Double.NaN;
          case "+Inf" -> Double.POSITIVE_INFINITY;
          case "-Inf" -> Double.NEGATIVE_INFINITY;
          default -> Double.parseDouble(rest[0]);
        };
    return new Sample(name, labels, value, rest[0], timestamp);
  }

  private static String unescapeHelp(String text, String where) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        char next = text.charAt(++i);
        switch (next) {
          case '\\' -> out.append('\\');
          case 'n' -> out.append('\n');
          default -> throw new IllegalArgumentException("bad HELP escape, " + where);
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
