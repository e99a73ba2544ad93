package trader.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The product's jar main ({@code trader.platform.Main}) in a JVM of its own: a node, or another command such as
 * {@code kafka}; configured by environment variables, its output in a log file. For tests that need separate
 * processes: clusters, kill -9, restarts.
 */
public final class NodeProcess implements AutoCloseable {

  private final String name;
  private final Map<String, String> env;
  private final List<String> args;
  private final Path log;
  private Process process;

  private NodeProcess(String name, Map<String, String> env, List<String> args) {
    this.name = name;
    this.env = env;
    this.args = args;
    this.log = logDir().resolve(name + "-" + System.currentTimeMillis() + ".log");
  }

  /** A node with its HTTP and cluster ports chosen free, over the given configuration (keys as in the README). */
  public static NodeProcess create(String name, Map<String, String> config, String... args) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TRADER_HTTP_PORT", String.valueOf(freePort()));
    env.put("TRADER_HTTP_HOST", "127.0.0.1");
    env.put("TRADER_NODE_NAME", name);
    config.forEach((key, value) -> env.put(trader.platform.Settings.envName(key), value));
    return new NodeProcess(name, env, List.of(args));
  }

  public NodeProcess start() {
    List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx512m", "-XX:+UseSerialGC",
      "-cp", System.getProperty("java.class.path"), trader.platform.Main.class.getName()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("TRADER_"));
    builder.environment().putAll(env);
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  public int httpPort() {
    return Integer.parseInt(env.get("TRADER_HTTP_PORT"));
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + httpPort();
  }

  public String name() {
    return name;
  }

  /** Waits until {@code /health/ready} answers 200; fails with the node's log tail otherwise. */
  public NodeProcess awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("Node " + name + " exited with " + process.exitValue() + ":\n" + output());
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return this;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      sleep(200);
    }
    throw new AssertionError("Node " + name + " not ready after " + timeout + ":\n" + output());
  }

  /** Waits until something accepts connections on {@code port} of 127.0.0.1 (a broker started as a process). */
  public static void awaitPort(int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        sleep(200);
      }
    }
    throw new AssertionError("Nothing listens on port " + port + " after " + timeout);
  }

  /** SIGTERM, then waits for the exit; returns the exit code. */
  public int stop(Duration timeout) {
    process.destroy();
    return waitFor(timeout);
  }

  /** SIGKILL: no shutdown hook runs. */
  public void kill() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  /** SIGSTOP: the process freezes with its sockets open, as in a long GC pause or a hung VM. */
  public void freeze() {
    signal("STOP");
  }

  /** SIGCONT after {@link #freeze()}. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("Node " + name + " still running after " + timeout + ":\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Everything the node printed so far. */
  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (isAlive()) {
      kill();
    }
  }

  /** Node logs stay in target/test-logs after the run, for whoever needs to find out why a test failed. */
  private static Path logDir() {
    try {
      return Files.createDirectories(Path.of(System.getProperty("trader.test.dir", "target/test-infra"))
        .resolveSibling("test-logs"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  public static int freePort() {
    // below Linux's ephemeral range (32768 and up): a port a test keeps for a node's restart can then not be taken
    // in the meantime by some outgoing connection (seen: a restarted node's cluster port held by a client socket)
    // never the same port twice in this JVM: a port handed out earlier may be free now only because its owner (a node
    // not started yet, or one stopped for a restart) has not bound it yet (seen in CI: a chaos node exited on
    // 'Address already in use')
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port found in 20000-31999"));
  }

  private static String javaBin() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
      .toString());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
