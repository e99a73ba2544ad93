package trader.platform;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.RoutingContext;
import trader.eventsourcing.Outages;
import trader.eventsourcing.UnstorableTextException;
import trader.eventsourcing.entity.CommandFailedException;
import trader.eventsourcing.projection.ProjectionLagException;

/**
 * How a context refuses an event-bus request, and how the gateway turns that into a problem response: the failure
 * code is the HTTP status the refusal means (400 invalid, 401, 404, 409 rejected by the domain, 422, 429, 503, 504).
 * An outage ({@link Outages}) is a 503 with {@code Retry-After}: for a command, its detail says the command may or
 * may not have taken effect and that sending it again with the same {@code Idempotency-Key} is safe.
 */
public final class BusFailures {

  /** Seconds a client is asked to wait before trying again after an outage. */
  public static final String RETRY_AFTER_SECONDS = "2";
  /** The detail of a command whose outcome is not known. */
  public static final String UNKNOWN_OUTCOME = "The outcome of this command is unknown: it may or may not have taken "
    + "effect. Sending it again with the same Idempotency-Key is safe: it takes effect at most once.";

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
    } else if (unstorable(failure) != null) {
      message.fail(400, unstorable(failure).getMessage());
    } else if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
      && re.failureCode() >= 400) {
      message.fail(re.failureCode(), re.getMessage());
    } else if (Outages.isOutage(failure)) {
      message.fail(503, failure instanceof CommandFailedException ? UNKNOWN_OUTCOME + " (" + failure.getMessage()
        + ")" : "A service this request needs is not available right now; try again (" + failure.getMessage() + ")");
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
        } else if (re.failureCode() == 503) {
          rc.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
        }
        Problems.send(rc, re.failureCode(), Problems.title(re.failureCode()), re.getMessage());
        return;
      }
      rc.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
      Problems.send(rc, 503, Problems.title(503), re.failureType() == ReplyFailure.TIMEOUT
        ? "The service did not answer in time: the request may or may not take effect. A command sent again with the "
          + "same Idempotency-Key takes effect at most once" : "The service is not available; try again");
      return;
    }
    if (Outages.isOutage(failure)) {
      rc.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
      Problems.send(rc, 503, Problems.title(503), "A service this request needs is not available right now; "
        + "nothing was changed, try again");
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
