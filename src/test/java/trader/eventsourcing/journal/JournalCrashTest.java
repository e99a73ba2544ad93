package trader.eventsourcing.journal;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.TestDatabase;
import trader.testing.TestInfra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static trader.eventsourcing.journal.JournalTestSupport.awaitTrue;

/** kill -9 of a process that is appending under load loses nothing it acknowledged and leaves no half append. */
class JournalCrashTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase();

  static Vertx vertx;
  static Pool pool;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = JournalTestSupport.pool(vertx, db.options(), 2);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void everyAcknowledgedAppendSurvivesKillMinusNine() throws Exception {
    Path dir = TestInfra.dir("journal-crash");
    Path ackFile = dir.resolve("acks.txt");
    Path log = dir.resolve("appending-process.log");
    Files.deleteIfExists(ackFile);
    Process child = new ProcessBuilder(javaBin(), "-Xmx256m", "-XX:+UseSerialGC",
      "-cp", System.getProperty("java.class.path"), AppendingProcess.class.getName(),
      db.url(), ackFile.toString(), "32", "120")
      .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      awaitTrue(Duration.ofSeconds(90), () -> {
        assertThat(child.isAlive()).as("child alive; its log:\n%s", read(log)).isTrue();
        return completeLines(ackFile).size() >= 5000;
      }, "5000 acknowledged events");
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    List<String> acked = completeLines(ackFile);
    Map<String, Map<Long, String>> journal = new HashMap<>();
    Set<String> eventIds = new HashSet<>();
    Map<String, int[]> appends = new HashMap<>();
    for (Row row : pool.query("select stream_id, version, event_id::text, payload from journal").execute().await()) {
      journal.computeIfAbsent(row.getString(0), s -> new HashMap<>()).put(row.getLong(1), row.getString(2));
      assertThat(eventIds.add(row.getString(2))).as("event id stored once").isTrue();
      var payload = row.getJsonObject(3);
      appends.computeIfAbsent(payload.getString("append"), a -> new int[] {0, payload.getInteger("of")})[0]++;
    }

    for (String line : acked) {
      String[] f = line.split(" ");
      assertThat(journal.getOrDefault(f[0], Map.of()).get(Long.parseLong(f[1])))
        .as("acknowledged %s", line).isEqualTo(f[2]);
    }
    journal.forEach((stream, versions) -> assertThat(new ArrayList<>(versions.keySet()))
      .as("versions of %s", stream).containsExactlyInAnyOrderElementsOf(
        java.util.stream.LongStream.rangeClosed(1, versions.size()).boxed().toList()));
    appends.forEach((append, counts) -> assertThat(counts[0]).as("events of append %s", append)
      .isEqualTo(counts[1]));
    long stored = journal.values().stream().mapToLong(Map::size).sum();
    System.out.printf("crash test: %d events acknowledged, %d stored (%d written but not yet acknowledged)%n",
      acked.size(), stored, stored - acked.size());
  }

  /** Lines ending in a newline; the last one may have been cut by the kill. */
  private static List<String> completeLines(Path file) {
    String text = read(file);
    int end = text.lastIndexOf('\n');
    return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String javaBin() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
      .toString());
  }
}
