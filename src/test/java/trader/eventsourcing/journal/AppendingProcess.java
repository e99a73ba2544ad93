package trader.eventsourcing.journal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import trader.platform.Database;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A child JVM for {@link JournalCrashTest}: appends to many streams at once, as fast as it can, and writes one
 * line {@code <stream> <version> <eventId>} per event to a file as soon as its append is acknowledged, so that the
 * test can kill it (-9) at any moment and know what the journal promised.
 *
 * <p>Arguments: {@code <pg-url> <ack-file> <streams> <max-seconds>}.
 */
public final class AppendingProcess {

  private final Journal journal;
  private final FileOutputStream acks;

  private AppendingProcess(Journal journal, FileOutputStream acks) {
    this.journal = journal;
    this.acks = acks;
  }

  public static void main(String[] args) throws IOException {
    String url = args[0];
    int streams = Integer.parseInt(args[2]);
    long maxMillis = Long.parseLong(args[3]) * 1000;
    Vertx vertx = Vertx.vertx();
    Pool pool = Database.create(PgConnectOptions.fromUri(url), 8).pool(vertx);
    AppendingProcess process = new AppendingProcess(Journal.create(vertx, pool, Upcasters.none()),
      new FileOutputStream(args[1], true));
    for (int s = 0; s < streams; s++) {
      process.appendForever("crash-" + s, 0, 0);
    }
    System.out.println("appending to " + streams + " streams");
    // never outlive a test that died without killing us
    vertx.setTimer(maxMillis, id -> System.exit(3));
  }

  private void appendForever(String stream, long version, int count) {
    String appendId = stream + "#" + count;
    List<NewEvent> events = JournalTestSupport.events(1 + count % 3, appendId);
    journal.append(stream, version, events)
      .onSuccess(ack -> {
        acknowledge(stream, version, events);
        appendForever(stream, ack.version(), count + 1);
      })
      .onFailure(error -> {
        System.out.println("append to " + stream + " failed: " + error);
        Future<Long> current = journal.read(stream, 1).map(e -> e.isEmpty() ? 0L : e.getLast().version());
        current.onComplete(ar -> appendForever(stream, ar.succeeded() ? ar.result() : version, count + 1));
      });
  }

  /** One write call per append: the kernel has the lines once it returns, whatever happens to this JVM next. */
  private void acknowledge(String stream, long version, List<NewEvent> events) {
    StringBuilder lines = new StringBuilder();
    long v = version;
    for (NewEvent event : events) {
      lines.append(stream).append(' ').append(++v).append(' ').append(event.eventId()).append('\n');
    }
    byte[] bytes = lines.toString().getBytes(StandardCharsets.US_ASCII);
    synchronized (acks) {
      try {
        acks.write(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
