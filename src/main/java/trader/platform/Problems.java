package trader.platform;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import trader.eventsourcing.StorableText;

import java.io.IOException;
import java.util.UUID;

/** Error responses as {@code application/problem+json} (RFC 9457), and the router's failure handler. */
public final class Problems {

  public static final String CONTENT_TYPE = "application/problem+json";
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private Problems() {
  }

  /** Ends the response with a problem document. */
  public static void send(RoutingContext rc, int status, String title, String detail) {
    if (rc.response().ended()) {
      return;
    }
    JsonObject problem = new JsonObject().put("type", "about:blank").put("title", title).put("status", status)
      .put("detail", detail).put("instance", rc.request().path());
    rc.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(problem.encode());
  }

  /**
   * Answers a request the HTTP decoder refused with a problem document, where Vert.x would send an empty status, and
   * closes the connection as it would. HTTP/1.1 refuses a control character such as U+0000 in any header (RFC 9110),
   * before a route or the contract sees it; the decoder does not say in which header, only what it found.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof TooLongHttpLineException ? 414 : cause instanceof TooLongHttpHeaderException ? 431
      : 400;
    String reason = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
    reason = StorableText.printable(reason.length() > 200 ? reason.substring(0, 200) + "..." : reason);
    JsonObject problem = new JsonObject().put("type", "about:blank").put("title", title(status)).put("status", status)
      .put("detail", "The request is not valid HTTP" + (reason.isEmpty() ? "" : ": " + reason));
    request.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(problem.encode());
    request.connection().close();
  }

  /**
   * Turns any failure of a route into a problem response. The client's failures are answered (if it is still
   * there) and logged at DEBUG only: a 4xx status (a library that could not decode what was sent fails with 400 and
   * its exception), a lost connection, and a request whose body could not be read (a broken chunked body). Any
   * other failure is ours: a 500 whose id is logged as an ERROR with the stack trace.
   */
  public static void handleFailure(RoutingContext rc) {
    Throwable failure = rc.failure();
    int status = rc.statusCode();
    if (failure instanceof HttpException http) {
      status = http.getStatusCode();
      String detail = http.getPayload() != null ? http.getPayload() : defaultDetail(status, rc);
      send(rc, status, title(status), detail);
    } else if (failure instanceof DecodeException) {
      send(rc, 400, title(400), "The request body is not valid JSON");
    } else if (status >= 400 && status < 500) {
      LOG.debug("Request {} {} refused with {}", rc.request().method(), rc.request().path(), status, failure);
      send(rc, status, title(status), defaultDetail(status, rc));
    } else if (failure instanceof IOException || failure instanceof HttpClosedException) {
      LOG.debug("Request {} {} lost its connection: {}", rc.request().method(), rc.request().path(), failure.toString());
    } else if (failure != null && status == 200) {
      // BodyHandler fails with status 200 when the request stream failed while it read the body (else 400/413)
      LOG.debug("Request {} {} could not be read: {}", rc.request().method(), rc.request().path(), failure.toString());
      send(rc, 400, title(400), "The request could not be read: " + failure.getMessage());
    } else {
      String id = UUID.randomUUID().toString();
      LOG.error("Request {} {} failed (error id {})", rc.request().method(), rc.request().path(), id, failure);
      send(rc, 500, title(500), "Internal error, id " + id);
    }
  }

  private static String defaultDetail(int status, RoutingContext rc) {
    return switch (status) {
      case 400 -> "The request is not valid";
      case 401 -> "Authentication is required";
      case 403 -> "Not allowed";
      case 404 -> "No resource at " + rc.request().path();
      case 405 -> "Method " + rc.request().method() + " is not allowed on " + rc.request().path();
      case 413 -> "The request body is too large";
      case 414 -> "The request line is too long";
      case 415 -> "Unsupported content type";
      case 431 -> "The request's headers are too large";
      default -> title(status);
    };
  }

  public static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 422 -> "Unprocessable Content";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> status >= 500 ? "Internal Server Error" : "Error";
    };
  }
}
