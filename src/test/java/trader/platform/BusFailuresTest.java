package trader.platform;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import trader.eventsourcing.UnstorableTextException;
import trader.eventsourcing.entity.CommandFailedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** How a context's failure reaches the gateway over the event bus: the status it means. */
class BusFailuresTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static ReplyException failureOf(Throwable failure) {
    String address = "bus-failures-" + System.nanoTime();
    var consumer = vertx.eventBus().consumer(address, message -> BusFailures.reply(message, failure));
    consumer.completion().await();
    try {
      return (ReplyException) catchThrowable(() -> vertx.eventBus().request(address, "x").await());
    } finally {
      consumer.unregister().await();
    }
  }

  /** The journal refusing an event's text is about the request's data, even wrapped by the entity: a 400. */
  @Test
  void theJournalsRefusalOfTextItCannotStoreIsA400() {
    ReplyException refused = failureOf(new CommandFailedException("portfolio", "p-1", "refused",
      new UnstorableTextException("Event 1 of 1 (portfolio.opened): in its payload, field /name holds U+0000")));
    assertThat(refused.failureCode()).isEqualTo(400);
    assertThat(refused.getMessage()).contains("field /name holds U+0000");

    ReplyException other = failureOf(new CommandFailedException("portfolio", "p-1", "evolve failed",
      new IllegalArgumentException("a bug")));
    assertThat(other.failureCode()).isEqualTo(500);
    assertThat(other.getMessage()).startsWith("Internal error, id ").doesNotContain("a bug");
  }
}
