package trader.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/** A context's event-bus API: requests in, JSON replies out, refusals as failures with the status they mean. */
public final class BusApi {

  private BusApi() {
  }

  /** Answers requests at {@code address} with {@code handler}'s JSON, or its failure ({@link BusFailures#reply}). */
  public static MessageConsumer<JsonObject> serve(Vertx vertx, String address,
                                                  Function<JsonObject, Future<JsonObject>> handler) {
    return vertx.eventBus().<JsonObject>consumer(address, msg -> {
      Future<JsonObject> reply;
      try {
        reply = handler.apply(msg.body());
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onSuccess(msg::reply).onFailure(e -> BusFailures.reply(msg, e));
    });
  }
}
