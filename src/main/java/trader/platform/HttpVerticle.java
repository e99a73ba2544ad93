package trader.platform;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;

import java.util.List;

/**
 * The node's HTTP server: the REST API under {@code /api} (routes from {@code openapi.yaml}, validated by it),
 * health, Prometheus metrics, the contexts' other routes ({@link WebRoutes}, e.g. {@code /eventbus}) and the static UI. Deployed once per event loop; they share the port.
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
  private HttpServer server;

  public HttpVerticle(Settings settings, HealthChecks liveness, HealthChecks readiness,
                      PrometheusMeterRegistry registry, List<ApiRoutes> apiRoutes, List<WebRoutes> webRoutes) {
    this.settings = settings;
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
      router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(liveness));
      router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
      router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
      // the UI's browser libraries that come as WebJars (Vue, sockjs-client); versioned paths, so cached long
      router.route("/webjars/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(StaticHandler.create("META-INF/resources/webjars").setMaxAgeSeconds(86_400));
      webRoutes.forEach(routes -> routes.mount(vertx, router, settings));
      StaticHandler ui = StaticHandler.create("webroot").setCachingEnabled(true);
      // the UI owns every other path; /api and /eventbus stay out so that their unknown paths answer 404/405
      router.routeWithRegex("^/(?!api/|health/|metrics|eventbus).*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ui);
      router.route().failureHandler(Problems::handleFailure);
      router.errorHandler(404, rc -> Problems.send(rc, 404, Problems.title(404),
        "No resource at " + rc.request().path()));
      router.errorHandler(405, Problems::handleFailure);
      router.errorHandler(413, Problems::handleFailure);

      int frameLimit = settings.integer("http.websocket-frame-limit-bytes", 1024, 16 * 1024 * 1024);
      HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.string("http.host"))
        .setPort(settings.integer("http.port", 0, 65535))
        .setCompressionSupported(true)
        // a WebSocket message is refused (the socket closed) beyond the limit, fragmented or not
        .setMaxWebSocketFrameSize(frameLimit)
        .setMaxWebSocketMessageSize(frameLimit);
      return vertx.createHttpServer(options).requestHandler(router).invalidRequestHandler(Problems::invalidRequest)
        .listen()
        .recover(e -> Future.failedFuture(new IllegalStateException("Cannot serve HTTP on " + options.getHost() + ":"
          + options.getPort() + ": " + e.getMessage(), e)));
    }).onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port the server listens on (the configured one, or the one chosen for port 0). */
  public int port() {
    return server.actualPort();
  }
}
