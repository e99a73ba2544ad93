package trader.platform;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code trader kafka} in a child JVM of this one (same Java, same class path): a benchmark's broker outside the
 * measured JVM, as a deployment has it, on the same machine. Its output is read and dropped after {@code READY}.
 */
public final class KafkaProcess implements AutoCloseable {

  private final Process process;
  private final String bootstrapServers;

  private KafkaProcess(Process process, String bootstrapServers) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
  }

  /** Starts the broker on a free port with its storage in {@code dataDir}; waits until it takes clients. */
  public static KafkaProcess start(Path dataDir) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
      "-Dhazelcast.logging.type=slf4j", Main.class.getName(), "kafka", "--port", "0", "--data-dir",
      dataDir.toAbsolutePath().toString()));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command, e);
    }
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.startsWith("READY ")) {
            ready.complete(line.substring("READY ".length()).trim());
          }
        }
      } catch (IOException e) {
        // the process ended
      }
      ready.completeExceptionally(new IllegalStateException("Kafka process ended before it was ready"));
    }, "kafka-process-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new KafkaProcess(process, ready.get(120, TimeUnit.SECONDS));
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("Kafka process did not start: " + e.getMessage(), e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** CPU time the broker's process has used so far (0 if the platform does not tell). */
  public long cpuNanos() {
    return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L);
  }

  /** Stops the broker (SIGTERM: a controlled shutdown), forcibly after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
