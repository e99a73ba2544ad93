package trader.platform;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;

/**
 * The node's HTTP server: the REST API under {@code /api} (routes from {@code openapi.yaml}, validated by it),
 * health, the contexts' other routes ({@link WebRoutes}, e.g. {@code /eventbus}) and the static UI. Deployed once
 * per event loop; they share the port. Every answer carries {@link SecurityHeaders}; a request whose path is not
 * canonical is refused before routing ({@link CanonicalRequests}). Prometheus metrics are on the management port
 * ({@code management.port}) when there is one, else at {@code /metrics} for the admin token only.
 */
public final class HttpVerticle extends VerticleBase {

  /** The OpenAPI document on the classpath; it describes and validates every {@code /api} route. */
  public static final String CONTRACT = "openapi.yaml";

  private final Settings settings;
  private final HealthChecks liveness;
  private final HealthChecks readiness;
  private final PrometheusMeterRegistry registry;
  private final List<ApiRoutes> apiRoutes;
  private final List<WebRoutes> webRoutes;
  private final Optional<AdminToken> adminToken;
  private HttpServer server;
  private HttpServer management;

  /** Status codes the routers answer themselves; each gets a problem document, none is logged as unhandled. */
  private static final int[] ROUTER_ERRORS = {400, 401, 403, 404, 405, 406, 413, 414, 415, 416, 417, 431, 500, 501,
    503};

  public HttpVerticle(Settings settings, HealthChecks liveness, HealthChecks readiness,
                      PrometheusMeterRegistry registry, List<ApiRoutes> apiRoutes, List<WebRoutes> webRoutes,
                      Optional<AdminToken> adminToken) {
    this.settings = settings;
    this.adminToken = adminToken;
    this.liveness = liveness;
    this.readiness = readiness;
    this.registry = registry;
    this.apiRoutes = apiRoutes;
    this.webRoutes = webRoutes;
  }

  @Override
  public Future<?> start() {
    return OpenAPIContract.from(vertx, CONTRACT).compose(contract -> {
      // one router for everything, so that a known path with the wrong method is a 405, not a 404
      RouterBuilder api = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
        .rootHandler(BodyHandler.create(false)
          .setBodyLimit(settings.integer("http.body-limit-bytes", 1024, 64 * 1024 * 1024)));
      // the library's validation builds schema validators per request, on a worker thread; ours once, on the loop
      new ContractRequestValidator(vertx, contract).replaceValidationOf(api);
      apiRoutes.forEach(routes -> routes.mount(api));
      ContractRequestValidator.answerUnserved(api);
      Router router = api.createRouter();
      SecurityHeaders headers = SecurityHeaders.of(settings);
      guard(router, headers);
      router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(liveness));
      router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
      boolean managementPort = settings.integer("management.port", 0, 65535) > 0;
      if (!managementPort) {
        router.get("/metrics").handler(adminOnly()).handler(PrometheusScrapingHandler.create(registry));
      }
      // the UI's browser libraries that come as WebJars (Vue, sockjs-client); versioned paths, so cached long
      router.route("/webjars/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(StaticHandler.create("META-INF/resources/webjars").setMaxAgeSeconds(86_400));
      webRoutes.forEach(routes -> routes.mount(vertx, router, settings));
      StaticHandler ui = StaticHandler.create("webroot").setCachingEnabled(true);
      // the UI owns every other path; /api and /eventbus stay out so that their unknown paths answer 404/405
      router.routeWithRegex("^/(?!api/|health/|metrics|eventbus).*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ui);
      answerProblems(router);

      int frameLimit = settings.integer("http.websocket-frame-limit-bytes", 1024, 16 * 1024 * 1024);
      HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.string("http.host"))
        .setPort(settings.integer("http.port", 0, 65535))
        .setCompressionSupported(true)
        // no h2c: while Vert.x waits to see whether a connection speaks it, a client that resets the connection is
        // logged as an unhandled ERROR; nothing in front of the node speaks h2c to it
        .setHttp2ClearTextEnabled(false)
        // a WebSocket message is refused (the socket closed) beyond the limit, fragmented or not
        .setMaxWebSocketFrameSize(frameLimit)
        .setMaxWebSocketMessageSize(frameLimit);
      return listen(options, router, headers).compose(s -> {
        server = s;
        return managementPort ? listenManagement(headers) : Future.succeededFuture();
      });
    });
  }

  /** The management server: {@code /metrics} for Prometheus, on an address operators keep off the internet. */
  private Future<?> listenManagement(SecurityHeaders headers) {
    Router router = Router.router(vertx);
    guard(router, headers);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    answerProblems(router);
    HttpServerOptions options = new HttpServerOptions().setHost(settings.string("management.host"))
      .setPort(settings.integer("management.port", 1, 65535)).setCompressionSupported(true)
      .setHttp2ClearTextEnabled(false);
    return listen(options, router, headers).onSuccess(s -> management = s);
  }

  private Future<HttpServer> listen(HttpServerOptions options, Router router, SecurityHeaders headers) {
    Handler<HttpServerRequest> invalid = request -> {
      // a request Netty could not parse (request line or headers too long, bad syntax) never reaches the router
      headers.apply(request.response());
      Problems.invalidRequest(request);
    };
    return vertx.createHttpServer(options).requestHandler(router).invalidRequestHandler(invalid).listen()
      .recover(e -> Future.failedFuture(new IllegalStateException("Cannot serve HTTP on " + options.getHost() + ":"
        + options.getPort() + ": " + e.getMessage(), e)));
  }

  /** The first handlers of a router: headers on every answer, then no request with a non-canonical path. */
  private static void guard(Router router, SecurityHeaders headers) {
    router.route().order(Integer.MIN_VALUE).handler(headers::handle);
    router.route().order(Integer.MIN_VALUE + 1).handler(CanonicalRequests::handle);
  }

  private static void answerProblems(Router router) {
    router.route().failureHandler(Problems::handleFailure);
    for (int status : ROUTER_ERRORS) {
      router.errorHandler(status, status == 404 ? rc -> Problems.send(rc, 404, Problems.title(404),
        "No resource at " + rc.request().path()) : Problems::handleFailure);
    }
  }

  /** {@code /metrics} on the public port: the admin token as {@code Authorization: Bearer} or {@code X-Admin-Token}. */
  private Handler<RoutingContext> adminOnly() {
    return SimpleAuthenticationHandler.create().authenticate(rc -> {
      String header = rc.request().getHeader("Authorization");
      String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim()
        : rc.request().getHeader(AdminRoutes.HEADER);
      if (adminToken.isEmpty()) {
        return Future.failedFuture(new HttpException(401, "Metrics are off on this port: set admin.token (and "
          + "scrape with it as a bearer token) or management.port"));
      }
      return adminToken.get().authenticate(new TokenCredentials(token))
        .recover(e -> Future.failedFuture(new HttpException(401, "Metrics need the admin token, as "
          + "Authorization: Bearer or " + AdminRoutes.HEADER)));
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> main = server == null ? Future.succeededFuture() : server.close();
    return main.compose(v -> management == null ? Future.succeededFuture() : management.close());
  }

  /** The port the server listens on (the configured one, or the one chosen for port 0). */
  public int port() {
    return server.actualPort();
  }
}
