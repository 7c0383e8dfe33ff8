package dev.sluice.activities.traffic.haproxy;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sluice.activities.ConfigurationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Client of HAProxy's runtime API (the "stats socket" CLI) over a Unix socket or TCP.
 *
 * <p>Each call opens its own connection and uses HAProxy's non-interactive mode: HAProxy reads one
 * line, answers and closes. That keeps the client stateless and thread-safe, and a command never
 * lands on a half-dead connection after HAProxy restarts. A line may carry several commands
 * separated by {@code ;} ({@link #executeSilently}), which HAProxy runs in order.
 *
 * <p>Errors: an unreachable socket (missing file, refused, reset, timed out) throws the retryable
 * {@link HaproxyUnavailableException}; an error answer from HAProxy (unknown server, backend or
 * proxy, bad argument, insufficient level) throws {@link HaproxyCommandException}, a {@link
 * ConfigurationException}.
 */
public final class HaproxyRuntimeApi {

  /** Administrative states {@code set server <b>/<s> state} accepts. */
  public enum ServerState {
    /** Normal operation: takes new traffic when its health checks pass. */
    READY,
    /** No new traffic; current sessions finish; health checks keep running. */
    DRAIN,
    /** No traffic at all and no health checks. */
    MAINT;

    String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Default limit for connecting, sending a command and reading its whole answer. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  // HAProxy's own rule for proxy and server names; also keeps ';' and newlines, which would start
  // another command, out of what we send.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]+");
  private static final Pattern SEVERITY = Pattern.compile("^\\[(\\d)]: ?");
  private static final Pattern MAP_NAME = Pattern.compile("[^\\s;\\\\,()]+");
  // Prepended to every command so that error answers carry "[3]: " and can be told apart from
  // output; HAProxy's error texts have no common shape otherwise.
  private static final String SEVERITY_PREFIX = "set severity-output number; ";
  private static final int LOG_ERR = 3;

  private final String socket;
  private final Endpoint endpoint;
  private final Duration timeout;

  private HaproxyRuntimeApi(String socket, Endpoint endpoint, Duration timeout) {
    this.socket = socket;
    this.endpoint = endpoint;
    this.timeout = timeout;
  }

  /**
   * A client of the runtime API at {@code socket}: a Unix socket path or {@code tcp://host:port}.
   *
   * @throws ConfigurationException when {@code socket} is blank or a malformed {@code tcp://}
   *     address
   */
  public static HaproxyRuntimeApi of(String socket) {
    return of(socket, DEFAULT_TIMEOUT);
  }

  /** As {@link #of(String)}, with a limit on each command's round trip. */
  public static HaproxyRuntimeApi of(String socket, Duration timeout) {
    if (socket == null || socket.isBlank()) {
      throw new ConfigurationException("haproxy: no runtime API socket given");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new ConfigurationException("haproxy: command timeout must be positive");
    }
    return new HaproxyRuntimeApi(socket, Endpoint.parse(socket.strip()), timeout);
  }

  /** The socket as given: a path or {@code tcp://host:port}. */
  public String socket() {
    return socket;
  }

  /**
   * Runs one runtime API command and returns HAProxy's answer without its trailing blank line.
   *
   * @param command one command, without newline or {@code ;}
   * @throws HaproxyCommandException when HAProxy answers with an error
   * @throws HaproxyUnavailableException when HAProxy cannot be reached or does not answer in time
   */
  public String execute(String command) {
    String stripped = requireOneCommand(command);
    String raw = exchange(SEVERITY_PREFIX + stripped + "\n");
    return interpret(stripped, raw);
  }

  /**
   * Runs several commands in one connection: HAProxy's non-interactive mode reads them as one line
   * separated by {@code ;} and runs them in order, one right after the other, before closing. Meant
   * for commands that answer with nothing on success ({@code set server}, {@code set map}).
   *
   * <p>Not a transaction: HAProxy runs every command of the line even when an earlier one fails, so
   * callers check names before sending. With more than one thread, HAProxy may serve requests
   * between two of the commands; the line only keeps that window as short as HAProxy allows (one
   * round trip, no waiting on the network between commands).
   *
   * @param commands commands without newline or {@code ;}; an empty list sends nothing
   * @throws HaproxyCommandException naming the first command that answered with text (the ones
   *     after it ran too)
   * @throws HaproxyUnavailableException when HAProxy cannot be reached or does not answer in time
   */
  public void executeSilently(List<String> commands) {
    if (commands.isEmpty()) {
      return;
    }
    List<String> stripped = commands.stream().map(HaproxyRuntimeApi::requireOneCommand).toList();
    String line = SEVERITY_PREFIX + String.join("; ", stripped) + "\n";
    String raw = exchange(line);
    if (raw.isEmpty()) {
      throw new HaproxyUnavailableException(
          socket,
          "HAProxy runtime API at "
              + socket
              + " closed the connection without answering '"
              + stripped.get(0)
              + "' and "
              + (stripped.size() - 1)
              + " more",
          null);
    }
    List<String> answers = splitAnswers(raw);
    for (int i = 0; i < stripped.size(); i++) {
      // answers.get(0) belongs to the severity-output prefix.
      String answer = i + 1 < answers.size() ? answers.get(i + 1) : null;
      if (answer == null) {
        throw new HaproxyCommandException(
            socket, stripped.get(i), "no answer (HAProxy answered " + (answers.size() - 1) + ")");
      }
      if (!answer.isBlank()) {
        Matcher severity = SEVERITY.matcher(answer);
        String message = severity.find() ? answer.substring(severity.end()) : answer;
        throw new HaproxyCommandException(socket, stripped.get(i), firstLine(message));
      }
    }
  }

  /** All lines of {@code show stat}: frontends, backends, servers and listeners of every proxy. */
  public List<StatRow> showStat() {
    return parseStat(execute("show stat"));
  }

  /**
   * The {@code show stat} lines of the servers of {@code backend}.
   *
   * @throws HaproxyCommandException when HAProxy knows no such proxy
   */
  public List<StatRow> showServerStats(String backend) {
    requireName("backend", backend);
    // "4 -1": object type 4 = servers, -1 = every server id.
    return parseStat(execute("show stat " + backend + " 4 -1")).stream()
        .filter(row -> row.proxy().equals(backend) && row.isServer())
        .toList();
  }

  /**
   * {@code set server <backend>/<server> state <state>}. Idempotent: HAProxy accepts setting the
   * state a server is already in.
   *
   * @throws HaproxyCommandException e.g. {@code No such server.} or {@code No such backend.}
   */
  public void setState(String backend, String server, ServerState state) {
    expectSilence(setStateCommand(backend, server, state));
  }

  /**
   * {@code set server <backend>/<server> weight <weight>}: an absolute weight, 0 to 256, 0 taking
   * the server out of load balancing. Idempotent.
   *
   * @throws HaproxyCommandException for unknown names, a weight out of range or a backend whose
   *     balance algorithm is static
   */
  public void setWeight(String backend, String server, int weight) {
    expectSilence(setWeightCommand(backend, server, weight));
  }

  /** The backends HAProxy runs, by name ({@code show backend}; {@code listen} sections count). */
  public List<String> showBackends() {
    return execute("show backend")
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  /**
   * The entries of a map ({@code show map <map>}), key to value in the map's order; for a key
   * listed twice the first entry is kept.
   *
   * @param map the map's file name as HAProxy's config names it, or {@code #<id>}
   * @throws HaproxyCommandException when HAProxy has no such map ({@code Unknown map identifier})
   */
  public Map<String, String> showMap(String map) {
    requireMapName(map);
    Map<String, String> entries = new LinkedHashMap<>();
    // Each line: "<entry ref> <key> <value>"; the value may hold spaces.
    for (String line : execute("show map " + map).split("\n")) {
      String[] parts = line.strip().split("\\s+", 3);
      if (parts.length == 3 && !parts[0].startsWith("#")) {
        entries.putIfAbsent(parts[1], parts[2]);
      }
    }
    return entries;
  }

  /**
   * {@code set map <map> <key> <value>}: changes the value of the entry {@code key} in HAProxy's
   * memory (not in the file). One command, so every lookup sees either the old value or the new
   * one, and every lookup after this returns sees the new one.
   *
   * @throws HaproxyCommandException for an unknown map, or {@code entry not found.} when the map
   *     has no such key (see {@link #addMap})
   */
  public void setMap(String map, String key, String value) {
    expectSilence(mapCommand("set", map, key, value));
  }

  /**
   * {@code add map <map> <key> <value>}: adds an entry in HAProxy's memory. HAProxy does not check
   * for an existing entry with that key, so callers add only keys {@link #showMap} lacks.
   *
   * @throws HaproxyCommandException for an unknown map
   */
  public void addMap(String map, String key, String value) {
    expectSilence(mapCommand("add", map, key, value));
  }

  /** {@code set server <backend>/<server> weight <weight>}, names checked. */
  static String setWeightCommand(String backend, String server, int weight) {
    requireName("backend", backend);
    requireName("server", server);
    return "set server " + backend + "/" + server + " weight " + weight;
  }

  /** {@code set server <backend>/<server> state <state>}, names checked. */
  static String setStateCommand(String backend, String server, ServerState state) {
    requireName("backend", backend);
    requireName("server", server);
    return "set server " + backend + "/" + server + " state " + state.word();
  }

  /**
   * Checks a map identifier: a file name or {@code #<id>} without whitespace, {@code ;}, {@code \},
   * {@code ,} or parentheses, which would end the command or the {@code map()} converter's
   * argument.
   */
  static void requireMapName(String map) {
    if (map == null || !MAP_NAME.matcher(map).matches()) {
      throw new ConfigurationException(
          "haproxy: map '"
              + map
              + "' is not usable as a map name (no whitespace, ';', '\\', ',' or parentheses)");
    }
  }

  private static String mapCommand(String verb, String map, String key, String value) {
    requireMapName(map);
    requireName("map key", key);
    requireName("map value", value);
    return verb + " map " + map + " " + key + " " + value;
  }

  private static String requireOneCommand(String command) {
    if (command == null || command.isBlank() || command.matches("(?s).*[;\r\n].*")) {
      throw new IllegalArgumentException("one runtime API command without ';' or newline expected");
    }
    return command.strip();
  }

  /**
   * Splits the answer to a line of several commands: HAProxy ends each command's answer with an
   * empty line, so a silent command answers with a lone newline. Holds for answers without empty
   * lines of their own, which is what error messages and {@code set} commands give.
   */
  static List<String> splitAnswers(String raw) {
    List<String> answers = new ArrayList<>();
    int position = 0;
    while (position < raw.length()) {
      if (raw.charAt(position) == '\n') {
        answers.add("");
        position++;
        continue;
      }
      int end = raw.indexOf("\n\n", position);
      if (end < 0) {
        answers.add(raw.substring(position).strip());
        break;
      }
      answers.add(raw.substring(position, end));
      position = end + 2;
    }
    return answers;
  }

  /** Checks a proxy or server name against HAProxy's naming rule. */
  static void requireName(String kind, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ConfigurationException(
          "haproxy: "
              + kind
              + " name '"
              + name
              + "' is not a valid HAProxy name"
              + " (letters, digits, '-', '_', '.', ':')");
    }
  }

  // HAProxy answers "set server" with nothing on success; whatever text comes back is an error,
  // whether or not this HAProxy version tags it with a severity.
  private void expectSilence(String command) {
    String answer = execute(command);
    if (!answer.isBlank()) {
      throw new HaproxyCommandException(socket, command, answer.strip());
    }
  }

  private String interpret(String command, String raw) {
    if (raw.isEmpty()) {
      throw new HaproxyUnavailableException(
          socket,
          "HAProxy runtime API at "
              + socket
              + " closed the connection without answering '"
              + command
              + "'",
          null);
    }
    // The first line is the (empty) answer to the severity-output command.
    String text = raw.startsWith("\n") ? raw.substring(1) : raw;
    int end = text.length();
    while (end > 0 && text.charAt(end - 1) == '\n') {
      end--;
    }
    text = text.substring(0, end);
    Matcher severity = SEVERITY.matcher(text);
    if (severity.find()) {
      String message = text.substring(severity.end());
      // "Unknown command" comes tagged as information, followed by a list of suggestions.
      if (Integer.parseInt(severity.group(1)) <= LOG_ERR || message.startsWith("Unknown command")) {
        throw new HaproxyCommandException(socket, command, firstLine(message));
      }
      return message;
    }
    if (text.startsWith("Unknown command") || text.startsWith("Permission denied")) {
      throw new HaproxyCommandException(socket, command, firstLine(text));
    }
    return text;
  }

  private String exchange(String request) {
    Path unixPath = endpoint.path();
    if (unixPath != null && !Files.exists(unixPath)) {
      throw new HaproxyUnavailableException(
          socket,
          "HAProxy admin socket "
              + socket
              + " does not exist: HAProxy is not running, is"
              + " restarting, or its config lacks 'stats socket "
              + socket
              + " level admin'",
          null);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      SocketAddress target = endpoint.address();
      return exchange(target, request, deadline);
    } catch (IOException e) {
      throw new HaproxyUnavailableException(
          socket, "HAProxy runtime API at " + socket + " is not answering: " + describe(e), e);
    }
  }

  private String exchange(SocketAddress target, String request, long deadline) throws IOException {
    ProtocolFamily family =
        target instanceof InetSocketAddress inet
            ? (inet.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET)
            : StandardProtocolFamily.UNIX;
    try (SocketChannel channel = SocketChannel.open(family);
        Selector selector = Selector.open()) {
      channel.configureBlocking(false);
      SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT);
      if (!channel.connect(target)) {
        while (!channel.finishConnect()) {
          awaitReady(selector, deadline, "connecting");
        }
      }
      key.interestOps(SelectionKey.OP_WRITE);
      ByteBuffer out = ByteBuffer.wrap(request.getBytes(UTF_8));
      while (out.hasRemaining()) {
        if (channel.write(out) == 0) {
          awaitReady(selector, deadline, "sending");
        }
      }
      key.interestOps(SelectionKey.OP_READ);
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      while (true) {
        int read = channel.read(in);
        if (read < 0) {
          return answer.toString(UTF_8);
        }
        if (read == 0) {
          awaitReady(selector, deadline, "waiting for the answer");
        } else {
          answer.write(in.array(), 0, in.position());
          in.clear();
        }
      }
    }
  }

  private void awaitReady(Selector selector, long deadline, String phase) throws IOException {
    long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (remainingMillis <= 0) {
      throw new SocketTimeoutException(
          "no progress " + phase + " within " + timeout.toMillis() + "ms");
    }
    selector.select(remainingMillis);
    selector.selectedKeys().clear();
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return (newline < 0 ? text : text.substring(0, newline)).strip();
  }

  /**
   * Parses {@code show stat} CSV: the header line {@code # pxname,svname,...} names the columns, so
   * rows are read by name and survive HAProxy adding or reordering columns.
   */
  static List<StatRow> parseStat(String csv) {
    List<String> lines = csv.lines().filter(line -> !line.isBlank()).toList();
    if (lines.isEmpty()) {
      return List.of();
    }
    String headerLine = lines.get(0);
    if (!headerLine.startsWith("#")) {
      throw new IllegalStateException("unexpected 'show stat' answer, no header: " + headerLine);
    }
    List<String> header = splitCsv(headerLine.substring(1).strip());
    List<StatRow> rows = new ArrayList<>(lines.size() - 1);
    for (String line : lines.subList(1, lines.size())) {
      List<String> values = splitCsv(line);
      Map<String, String> fields = new LinkedHashMap<>();
      for (int i = 0; i < header.size() && i < values.size(); i++) {
        if (!header.get(i).isEmpty()) {
          fields.put(header.get(i), values.get(i));
        }
      }
      rows.add(new StatRow(fields));
    }
    return rows;
  }

  // HAProxy quotes a CSV field (RFC 4180 style) when it holds a comma or a quote, e.g. a check
  // description echoing the server's answer.
  static List<String> splitCsv(String line) {
    List<String> values = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          current.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          current.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        values.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    values.add(current.toString());
    return values;
  }

  /**
   * One line of {@code show stat}, by column name ({@code pxname}, {@code svname}, {@code scur},
   * {@code status}, {@code hrsp_5xx}, ...). HAProxy leaves a column empty where it does not apply.
   */
  public record StatRow(Map<String, String> fields) {

    public StatRow {
      fields = Map.copyOf(fields);
    }

    /** The proxy (frontend or backend) name, {@code pxname}. */
    public String proxy() {
      return text("pxname");
    }

    /** The server name, or {@code FRONTEND}/{@code BACKEND} for aggregate lines; {@code svname}. */
    public String name() {
      return text("svname");
    }

    /** Whether this line is a server's (type 2) rather than a frontend, backend or listener. */
    public boolean isServer() {
      return text("type").equals("2");
    }

    /** The column's text; empty when the column is absent or empty. */
    public String text(String column) {
      return fields.getOrDefault(column, "");
    }

    /** The column as a number; {@code whenEmpty} when it is absent, empty or not a number. */
    public long number(String column, long whenEmpty) {
      String value = text(column).strip();
      if (value.isEmpty()) {
        return whenEmpty;
      }
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException e) {
        return whenEmpty;
      }
    }
  }

  /** Where the runtime API listens: a Unix socket path or a TCP host and port. */
  private record Endpoint(Path path, String host, int port) {

    static Endpoint parse(String socket) {
      if (socket.startsWith("tcp://")) {
        URI uri;
        try {
          uri = URI.create(socket);
        } catch (IllegalArgumentException e) {
          throw malformed(socket);
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
          throw malformed(socket);
        }
        return new Endpoint(null, uri.getHost(), uri.getPort());
      }
      String path = socket.startsWith("unix://") ? socket.substring("unix://".length()) : socket;
      return new Endpoint(Path.of(path), null, -1);
    }

    private static ConfigurationException malformed(String socket) {
      return new ConfigurationException(
          "haproxy: socket '" + socket + "' must be a Unix socket path or tcp://host:port");
    }

    SocketAddress address() throws IOException {
      if (path != null) {
        return UnixDomainSocketAddress.of(path);
      }
      // Resolved on every call: the name may point elsewhere after a failover.
      InetSocketAddress resolved = new InetSocketAddress(host, port);
      if (resolved.isUnresolved()) {
        throw new IOException("cannot resolve host " + host);
      }
      return resolved;
    }
  }
}
