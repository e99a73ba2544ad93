package trader.eventsourcing;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.util.Set;

/**
 * Tells an outage from a failure of the work itself. An outage: something the work needs (PostgreSQL, Kafka, another
 * node) is not there for the moment, so the same work can succeed later unchanged, and since every command carries
 * the id that makes it idempotent, sending it again is safe. Anything else (a refusal, a message that cannot be read,
 * a bug) is not mended by trying again.
 */
public final class Outages {

  /** SQLSTATE classes and codes of a server that is unreachable, shutting down, overloaded or in recovery. */
  private static final Set<String> OUTAGE_CLASSES = Set.of("08", "53", "57", "58");
  private static final Set<String> RETRYABLE_STATES = Set.of("40001", "40P01", "55P03");
  /** What the Vert.x clients say when their connection or pool has gone (they give no type of their own). */
  private static final Set<String> CLOSED = Set.of("Pool closed", "Connection is closed", "Client is closed",
    "Connection closed", "Closed");

  private Outages() {
  }

  /** Whether {@code failure}, or one of its causes, says a service is not available right now. */
  public static boolean isOutage(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (isOutageItself(e)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isOutageItself(Throwable e) {
    return switch (e) {
      case Unavailable u -> true;
      case PgException pg -> pg.getSqlState() != null && (OUTAGE_CLASSES.contains(pg.getSqlState().substring(0, 2))
        || RETRYABLE_STATES.contains(pg.getSqlState()));
      case ReplyException reply -> reply.failureType() != ReplyFailure.RECIPIENT_FAILURE || reply.failureCode() == 503;
      case ClosedConnectionException closed -> true;
      case java.net.ConnectException refused -> true;
      case java.nio.channels.ClosedChannelException closed -> true;
      case java.util.concurrent.TimeoutException timeout -> true;
      case org.apache.kafka.common.errors.RetriableException kafka -> true;
      default -> e.getMessage() != null && CLOSED.contains(e.getMessage())
        || e.getClass().getName().endsWith("TimeoutException");
    };
  }
}
