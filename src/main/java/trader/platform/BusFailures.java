package trader.platform;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.RoutingContext;
import trader.eventsourcing.UnstorableTextException;
import trader.eventsourcing.entity.CommandTimeoutException;
import trader.eventsourcing.projection.ProjectionLagException;

/**
 * How a context refuses an event-bus request, and how the gateway turns that into a problem response: the failure
 * code is the HTTP status the refusal means (400 invalid, 401, 404, 409 rejected by the domain, 429, 503, 504).
 */
public final class BusFailures {

  private BusFailures() {
  }

  /** Fails {@code message} with the status that {@code failure} means; unexpected ones as 500 with an id. */
  public static void reply(Message<?> message, Throwable failure) {
    if (failure instanceof Refusal r) {
      message.fail(r.status, r.getMessage());
    } else if (failure instanceof trader.eventsourcing.projection.ProjectionProgress.InvalidPosition) {
      message.fail(400, "position: " + failure.getMessage());
    } else if (failure instanceof ProjectionLagException) {
      message.fail(504, failure.getMessage());
    } else if (failure instanceof CommandTimeoutException) {
      message.fail(503, failure.getMessage());
    } else if (unstorable(failure) != null) {
      message.fail(400, unstorable(failure).getMessage());
    } else if (failure instanceof ReplyException re && re.failureCode() >= 400) {
      message.fail(re.failureCode(), re.getMessage());
    } else {
      String id = java.util.UUID.randomUUID().toString();
      org.slf4j.LoggerFactory.getLogger(BusFailures.class).error("Request to {} failed (error id {})",
        message.address(), id, failure);
      message.fail(500, "Internal error, id " + id);
    }
  }

  /**
   * The journal's refusal of text it cannot store, if that is what failed (an entity's command wraps it): about the
   * request's data, so a 400, although the edge's validation should have refused that data before.
   */
  private static UnstorableTextException unstorable(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof UnstorableTextException refused) {
        return refused;
      }
    }
    return null;
  }

  /** Ends {@code rc} with the problem a failed event-bus request stands for. */
  public static void respond(RoutingContext rc, Throwable failure) {
    if (failure instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.RECIPIENT_FAILURE && re.failureCode() >= 400 && re.failureCode() < 600) {
        java.util.regex.Matcher wait = java.util.regex.Pattern.compile("in (\\d+) s").matcher(re.getMessage());
        if (re.failureCode() == 429 && wait.find()) {
          rc.response().putHeader("Retry-After", wait.group(1));
        }
        Problems.send(rc, re.failureCode(), Problems.title(re.failureCode()), re.getMessage());
        return;
      }
      Problems.send(rc, 503, Problems.title(503), re.failureType() == ReplyFailure.TIMEOUT
        ? "The service did not answer in time; the request may still take effect" : "The service is not available");
      return;
    }
    rc.fail(failure);
  }

  /** A refusal a user can act on, with the status it means. */
  public static final class Refusal extends RuntimeException {
    final int status;

    public Refusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
