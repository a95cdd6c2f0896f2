package dev.vkj.provider.mock;

import static java.util.Objects.requireNonNull;

import dev.vkj.spi.AttachIO;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A tiny shell that runs inside a simulated container for {@code kubectl exec}. It knows {@code
 * echo}, {@code env}/{@code printenv}, {@code cat}, {@code ls}, {@code cd}, {@code pwd}, {@code
 * hostname}, {@code date}, {@code uname}, {@code id}, {@code whoami}, {@code sleep}, {@code true},
 * {@code false}, {@code exit} and {@code sh}/{@code bash} (with {@code -c SCRIPT} or interactive).
 * Scripts support quotes, {@code $VAR}, {@code ${VAR}}, {@code $?} and the separators {@code ;},
 * {@code &&} and {@code ||}. With a TTY it behaves like a terminal: typed input is echoed and
 * output lines end with CRLF.
 */
final class MockShell {
  /** What the container looks like from inside. */
  record Environment(String hostname, Map<String, String> env, VirtualFiles files, Clock clock) {}

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss 'UTC' yyyy", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);

  /** Thrown by {@code exit} to end the script or the interactive shell. */
  private static final class ExitException extends Exception {
    private static final long serialVersionUID = 1L;
    final int code;

    ExitException(int code) {
      super(null, null, false, false);
      this.code = code;
    }
  }

  private final Environment environment;
  private final AttachIO io;
  private final OutputStream stdout;
  private final OutputStream stderr;
  private final InputStream stdin;
  private final boolean tty;
  private String cwd = "/";
  private int lastExit;

  MockShell(Environment environment, AttachIO io) {
    this.environment = requireNonNull(environment, "environment is null");
    this.io = requireNonNull(io, "io is null");
    this.tty = io.tty();
    this.stdout = io.stdout().orElse(null);
    this.stderr = tty ? stdout : io.stderr().orElse(null);
    this.stdin = io.stdin().orElse(null);
  }

  /** Runs one exec command and returns its exit code. */
  int run(List<String> argv) {
    try {
      return command(argv);
    } catch (ExitException e) {
      return e.code;
    } catch (IOException e) {
      // The client went away while we wrote to it.
      return 1;
    } finally {
      flush();
    }
  }

  private int command(List<String> words) throws ExitException, IOException {
    if (words.isEmpty()) {
      return 0;
    }
    String name = words.get(0);
    String base = name.substring(name.lastIndexOf('/') + 1);
    List<String> args = words.subList(1, words.size());
    int code =
        switch (base) {
          case "sh", "bash", "ash" -> shell(base, args);
          case "echo" -> echo(args);
          case "env", "printenv" -> env(base, args);
          case "cat" -> cat(args);
          case "ls" -> ls(args);
          case "cd" -> cd(args);
          case "pwd" -> print(cwd + "\n");
          case "hostname" -> print(environment.hostname() + "\n");
          case "date" -> print(DATE.format(environment.clock().instant()) + "\n");
          case "uname" ->
              print(
                  (args.contains("-a")
                          ? "Linux "
                              + environment.hostname()
                              + " 6.1.0-vkj-mock #1 SMP x86_64 Linux"
                          : "Linux")
                      + "\n");
          case "id" -> print("uid=0(root) gid=0(root) groups=0(root)\n");
          case "whoami" -> print("root\n");
          case "sleep" -> sleep(args);
          case "true" -> 0;
          case "false" -> 1;
          case "exit" -> throw new ExitException(exitArgument(args));
          default -> {
            error("sh: " + name + ": not found\n");
            yield 127;
          }
        };
    flush();
    return code;
  }

  private int shell(String name, List<String> args) throws IOException {
    if (args.isEmpty()) {
      return interactive();
    }
    if (args.get(0).equals("-c")) {
      if (args.size() < 2) {
        error(name + ": -c requires an argument\n");
        return 2;
      }
      try {
        return script(args.get(1));
      } catch (ExitException e) {
        return e.code;
      }
    }
    error(name + ": can't open '" + args.get(0) + "': No such file or directory\n");
    return 2;
  }

  private int interactive() throws IOException {
    if (stdin == null) {
      return 0;
    }
    LineReader reader = new LineReader(stdin, tty);
    while (true) {
      if (tty) {
        print(cwd + " # ");
        flush();
      }
      String line = reader.readLine();
      if (line == null && reader.interrupted()) {
        // Ctrl-C drops the line, as in a real shell.
        reader.clearInterrupted();
        lastExit = 130;
        continue;
      }
      if (line == null) {
        if (tty) {
          print("\n");
        }
        return lastExit;
      }
      if (line.isBlank()) {
        continue;
      }
      try {
        lastExit = script(line);
      } catch (ExitException e) {
        return e.code;
      }
      flush();
    }
  }

  /** Runs a command line; {@code exit} propagates so that it can end an interactive shell. */
  private int script(String text) throws ExitException, IOException {
    List<String> commands = new ArrayList<>();
    List<String> operators = new ArrayList<>();
    try {
      split(text, commands, operators);
    } catch (IllegalArgumentException e) {
      error("sh: " + e.getMessage() + "\n");
      lastExit = 2;
      return 2;
    }
    int code = lastExit;
    for (int i = 0; i < commands.size(); i++) {
      String op = i == 0 ? ";" : operators.get(i - 1);
      if ((op.equals("&&") && code != 0) || (op.equals("||") && code == 0)) {
        continue;
      }
      // Expanded only now, so that $? sees the previous command.
      code = command(words(commands.get(i)));
      lastExit = code;
    }
    return code;
  }

  /** Splits a command line at {@code ;}, newlines, {@code &&} and {@code ||} outside quotes. */
  private static void split(String text, List<String> commands, List<String> operators) {
    StringBuilder current = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\'' || c == '"') {
        int close = text.indexOf(c, i + 1);
        if (close < 0) {
          throw new IllegalArgumentException("syntax error: unterminated quoted string");
        }
        current.append(text, i, close + 1);
        i = close + 1;
      } else if (c == '\\' && i + 1 < text.length()) {
        current.append(text, i, i + 2);
        i += 2;
      } else if (c == '#'
          && (current.length() == 0 || Character.isWhitespace(text.charAt(i - 1)))) {
        break;
      } else if (c == ';' || c == '\n' || text.startsWith("&&", i) || text.startsWith("||", i)) {
        String op = c == ';' || c == '\n' ? ";" : text.substring(i, i + 2);
        if (!current.toString().isBlank()) {
          commands.add(current.toString());
          operators.add(op);
        } else if (!op.equals(";")) {
          throw new IllegalArgumentException("syntax error: unexpected \"" + op + "\"");
        }
        current.setLength(0);
        i += op.equals(";") ? 1 : 2;
      } else if (c == '|' || c == '<' || c == '>' || c == '`') {
        throw new IllegalArgumentException(
            "pipes, redirections and command substitution are not supported by this shell");
      } else {
        current.append(c);
        i++;
      }
    }
    if (!current.toString().isBlank()) {
      commands.add(current.toString());
    } else if (!operators.isEmpty() && !operators.get(operators.size() - 1).equals(";")) {
      throw new IllegalArgumentException("syntax error: unexpected end of input");
    }
    while (operators.size() >= commands.size() && !operators.isEmpty()) {
      operators.remove(operators.size() - 1);
    }
  }

  /** Splits one command into words, with quotes, escapes and $-expansion. */
  private List<String> words(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\'' || c == '"') {
        int close = text.indexOf(c, i + 1);
        String inner = text.substring(i + 1, close);
        word = word == null ? new StringBuilder() : word;
        word.append(c == '"' ? expand(inner) : inner);
        i = close + 1;
      } else if (c == '\\' && i + 1 < text.length()) {
        word = word == null ? new StringBuilder() : word;
        word.append(text.charAt(i + 1));
        i += 2;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
        i++;
      } else if (c == '$') {
        int end = variableEnd(text, i);
        word = word == null ? new StringBuilder() : word;
        word.append(expand(text.substring(i, end)));
        i = end;
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
        i++;
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  private static int variableEnd(String text, int dollar) {
    int i = dollar + 1;
    if (i >= text.length()) {
      return i;
    }
    char c = text.charAt(i);
    if (c == '{') {
      int close = text.indexOf('}', i);
      return close < 0 ? text.length() : close + 1;
    }
    if (c == '?') {
      return i + 1;
    }
    while (i < text.length()
        && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
      i++;
    }
    return i;
  }

  /** Expands {@code $VAR}, {@code ${VAR}} and {@code $?} in a string. */
  private String expand(String text) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '$') {
        out.append(c);
        i++;
        continue;
      }
      int end = variableEnd(text, i);
      String ref = text.substring(i + 1, end);
      if (ref.isEmpty()) {
        out.append('$');
      } else if (ref.equals("?")) {
        out.append(lastExit);
      } else {
        String name = ref.startsWith("{") ? ref.substring(1, ref.length() - 1) : ref;
        out.append(environment.env().getOrDefault(name, ""));
      }
      i = end;
    }
    return out.toString();
  }

  private int echo(List<String> args) throws IOException {
    boolean newline = true;
    List<String> words = args;
    if (!words.isEmpty() && words.get(0).equals("-n")) {
      newline = false;
      words = words.subList(1, words.size());
    }
    return print(String.join(" ", words) + (newline ? "\n" : ""));
  }

  private int env(String name, List<String> args) throws IOException {
    if (name.equals("printenv") && !args.isEmpty()) {
      int code = 0;
      for (String variable : args) {
        String value = environment.env().get(variable);
        if (value == null) {
          code = 1;
        } else {
          print(value + "\n");
        }
      }
      return code;
    }
    StringBuilder out = new StringBuilder();
    environment.env().forEach((k, v) -> out.append(k).append('=').append(v).append('\n'));
    return print(out.toString());
  }

  private int cat(List<String> args) throws IOException {
    if (args.isEmpty() || args.equals(List.of("-"))) {
      return catStdin();
    }
    int code = 0;
    for (String arg : args) {
      String path = resolve(arg);
      if (environment.files().isDirectory(path)) {
        error("cat: read error: Is a directory\n");
        code = 1;
        continue;
      }
      Optional<byte[]> content = environment.files().read(path);
      if (content.isEmpty()) {
        error("cat: can't open '" + arg + "': No such file or directory\n");
        code = 1;
        continue;
      }
      write(content.get());
    }
    return code;
  }

  /** {@code cat} with no file: copies stdin to stdout until end of input. */
  private int catStdin() throws IOException {
    if (stdin == null) {
      return 0;
    }
    if (tty) {
      LineReader reader = new LineReader(stdin, true);
      String line;
      while ((line = reader.readLine()) != null) {
        print(line + "\n");
        flush();
      }
      return reader.interrupted() ? 130 : 0;
    }
    byte[] buffer = new byte[8192];
    while (!io.isClosed()) {
      int n;
      try {
        n = stdin.read(buffer);
      } catch (IOException e) {
        break;
      }
      if (n < 0) {
        break;
      }
      if (stdout != null) {
        stdout.write(buffer, 0, n);
        stdout.flush();
      }
    }
    return 0;
  }

  private int ls(List<String> args) throws IOException {
    List<String> targets = args.stream().filter(a -> !a.startsWith("-")).toList();
    if (targets.isEmpty()) {
      targets = List.of(cwd);
    }
    int code = 0;
    for (String target : targets) {
      String path = resolve(target);
      if (environment.files().isDirectory(path)) {
        if (targets.size() > 1) {
          print(target + ":\n");
        }
        StringBuilder out = new StringBuilder();
        environment.files().list(path).forEach(n -> out.append(n).append('\n'));
        print(out.toString());
      } else if (environment.files().exists(path)) {
        print(target + "\n");
      } else {
        error("ls: " + target + ": No such file or directory\n");
        code = 1;
      }
    }
    return code;
  }

  private int cd(List<String> args) throws IOException {
    String target = args.isEmpty() ? "/root" : resolve(args.get(0));
    if (!environment.files().isDirectory(target)) {
      error(
          "sh: cd: can't cd to "
              + (args.isEmpty() ? target : args.get(0))
              + ": No such file or directory\n");
      return 2;
    }
    cwd = target;
    return 0;
  }

  private int sleep(List<String> args) throws IOException {
    if (args.isEmpty()) {
      error("sleep: missing operand\n");
      return 1;
    }
    double seconds;
    try {
      seconds = Double.parseDouble(args.get(0).replaceAll("s$", ""));
    } catch (NumberFormatException e) {
      error("sleep: invalid number '" + args.get(0) + "'\n");
      return 1;
    }
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() - deadline < 0) {
      if (io.isClosed()) {
        return 130;
      }
      try {
        Thread.sleep(Math.min(50, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 130;
      }
    }
    return 0;
  }

  private static int exitArgument(List<String> args) {
    if (args.isEmpty()) {
      return 0;
    }
    try {
      return Integer.parseInt(args.get(0)) & 0xFF;
    } catch (NumberFormatException e) {
      return 2;
    }
  }

  private String resolve(String path) {
    return VirtualFiles.normalize(path.startsWith("/") ? path : cwd + "/" + path);
  }

  private int print(String text) throws IOException {
    write(text.getBytes(StandardCharsets.UTF_8), stdout);
    return 0;
  }

  private void write(byte[] bytes) throws IOException {
    write(bytes, stdout);
  }

  private void error(String text) throws IOException {
    write(text.getBytes(StandardCharsets.UTF_8), stderr);
  }

  private void write(byte[] bytes, OutputStream target) throws IOException {
    if (target == null) {
      return;
    }
    target.write(tty ? crlf(bytes) : bytes);
  }

  private void flush() {
    try {
      if (stdout != null) {
        stdout.flush();
      }
      if (stderr != null && stderr != stdout) {
        stderr.flush();
      }
    } catch (IOException e) {
      // the client is gone; nothing to flush to
    }
  }

  /** A terminal's output processing: LF becomes CRLF. */
  static byte[] crlf(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 16);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) {
        out.write('\r');
      }
      out.write(bytes[i]);
    }
    return out.toByteArray();
  }

  /**
   * Reads lines from stdin. With a TTY it also does what a terminal line discipline does: echoes
   * what is typed (Enter as CRLF), handles backspace, Ctrl-C (drops the line) and Ctrl-D (end of
   * input on an empty line).
   */
  final class LineReader {
    private final InputStream in;
    private final boolean terminal;
    private boolean interrupted;

    LineReader(InputStream in, boolean terminal) {
      this.in = in;
      this.terminal = terminal;
    }

    boolean interrupted() {
      return interrupted;
    }

    void clearInterrupted() {
      interrupted = false;
    }

    /** The next line without its terminator, or null at end of input. */
    String readLine() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      while (true) {
        if (io.isClosed()) {
          return null;
        }
        int b;
        try {
          b = in.read();
        } catch (IOException e) {
          return null;
        }
        if (b < 0) {
          return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
        }
        if (!terminal) {
          if (b == '\n') {
            return stripCr(line.toString(StandardCharsets.UTF_8));
          }
          line.write(b);
          continue;
        }
        switch (b) {
          case '\r', '\n' -> {
            echo("\r\n".getBytes(StandardCharsets.US_ASCII));
            return line.toString(StandardCharsets.UTF_8);
          }
          case 0x7f, 0x08 -> {
            if (line.size() > 0) {
              byte[] current = line.toByteArray();
              line.reset();
              line.write(current, 0, current.length - 1);
              echo("\b \b".getBytes(StandardCharsets.US_ASCII));
            }
          }
          case 0x03 -> {
            echo("^C\r\n".getBytes(StandardCharsets.US_ASCII));
            interrupted = true;
            return null;
          }
          case 0x04 -> {
            if (line.size() == 0) {
              return null;
            }
          }
          default -> {
            line.write(b);
            echo(new byte[] {(byte) b});
          }
        }
      }
    }

    private void echo(byte[] bytes) throws IOException {
      if (stdout != null) {
        stdout.write(bytes);
        stdout.flush();
      }
    }

    private String stripCr(String text) {
      return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
  }
}
