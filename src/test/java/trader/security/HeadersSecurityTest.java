package trader.security;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ApiNode;
import trader.testing.ApiNode.User;
import trader.testing.FailingRoutes;
import trader.testing.RawHttp;
import trader.testing.RawHttp.Answer;
import trader.testing.TestDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The passive checks of OWASP ZAP's baseline scan that apply to this node, on every kind of answer it gives (the
 * UI, static files, WebJars, API 2xx/4xx/5xx, health, metrics, the bridge, 404, 405, 413, a non-canonical path,
 * and a request Netty itself refuses): Content-Security-Policy (10038, 10055: no wildcard, no inline script or
 * style, framing forbidden), anti-clickjacking (10020), X-Content-Type-Options (10021), no Server or X-Powered-By
 * version leak (10036, 10037), no cookie at all (10010, 10011, 10054), caching of API answers (10015), a
 * Content-Type on every body (10019), Permissions-Policy (10063), site isolation (90004: COOP, CORP),
 * Referrer-Policy, no stack trace in an error (90022); HSTS exactly when the public address is https (10035).
 */
class HeadersSecurityTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static final String ADMIN_TOKEN = "headers-test-admin-token-0123456789";

  static ApiNode api;
  static int port;
  static User user;

  @BeforeAll
  static void start() {
    api = ApiNode.start(db, Map.of("admin.token", ADMIN_TOKEN, "http.body-limit-bytes", 4096),
      List.of(new FailingRoutes()));
    port = api.node().httpPort();
    user = api.signup();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void everyKindOfAnswerCarriesTheHeaders() {
    Map<String, Answer> answers = answers(port);
    answers.forEach((what, answer) -> {
      assertThat(answer.status()).as(what + " answered").isPositive();
      checkHeaders(what, answer);
      assertThat(answer.header("Strict-Transport-Security")).as(what + ": no HSTS over http").isNull();
    });
    // the kinds are what they say they are
    assertThat(answers.get("UI").header("Content-Type")).startsWith("text/html");
    assertThat(answers.get("API 5xx").status()).isEqualTo(500);
    assertThat(answers.get("API 5xx").body()).contains("Internal error, id ").doesNotContain("Exception", "trader.");
    assertThat(answers.get("request Netty refuses").status()).isEqualTo(431);
    assertThat(answers.get("non-canonical path").status()).isEqualTo(400);
    assertThat(answers.get("metrics").status()).isEqualTo(200);
  }

  @Test
  void anHttpsPublicAddressAddsHstsEverywhere() {
    try (ApiNode https = ApiNode.start(db, Map.of("http.public-url", "https://trader.example/",
      "admin.token", ADMIN_TOKEN, "http.body-limit-bytes", 4096), List.of(new FailingRoutes()))) {
      answers(https.node().httpPort()).forEach((what, answer) -> {
        checkHeaders(what, answer);
        assertThat(answer.header("Strict-Transport-Security")).as(what).isEqualTo("max-age=31536000");
      });
    }
  }

  @Test
  void theUiNeedsNoInlineScriptStyleOrHandler() throws IOException {
    String index = Files.readString(Path.of("webroot/index.html"));
    assertThat(Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>").matcher(index).find()).as("inline script").isFalse();
    assertThat(Pattern.compile("<style|\\sstyle=|\\son[a-z]+=|javascript:", Pattern.CASE_INSENSITIVE)
      .matcher(index).find()).as("inline style or handler").isFalse();
    try (Stream<Path> files = Files.walk(Path.of("webroot/js"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".js")).toList()) {
        // Vue's templates bind events with @ / v-on; an on...= attribute would be an inline handler
        assertThat(Pattern.compile("\\son[a-z]+=\"|innerHTML|\\sstyle=\"").matcher(Files.readString(file)).find())
          .as(file.toString()).isFalse();
      }
    }
  }

  /** One answer of each kind the node gives, by what it is. */
  static Map<String, Answer> answers(int port) {
    String token = "Authorization: Bearer " + user.token();
    String json = "Content-Type: application/json";
    String query = SockJsHttp.query(user.token());
    String session = "/eventbus/000/" + java.util.UUID.randomUUID().toString().substring(0, 8);
    Map<String, Answer> answers = new LinkedHashMap<>();
    answers.put("UI", get(port, "/"));
    answers.put("UI file", get(port, "/index.html"));
    answers.put("static CSS", get(port, "/css/app.css"));
    answers.put("static JS", get(port, "/js/app.js"));
    answers.put("vendored JS", get(port, "/vendor/vertx-eventbus-bridge-client/vertx-eventbus.js"));
    answers.put("WebJar", get(port, "/webjars/vue/3.5.26/dist/vue.global.prod.js"));
    answers.put("UI 404", get(port, "/no-such-page.html"));
    answers.put("API 2xx public", get(port, "/api/info"));
    answers.put("API 2xx private", get(port, "/api/me", token));
    answers.put("API 201", RawHttp.exchange(port, "POST", "/api/auth/signup", new JsonObject()
      .put("username", "headers-" + System.nanoTime()).put("password", "correct horse battery").encode(), 5000, json));
    answers.put("API 400", RawHttp.exchange(port, "POST", "/api/auth/login", "{not json", 5000, json));
    answers.put("API 401", get(port, "/api/me"));
    answers.put("API 404", get(port, "/api/nothing-here", token));
    answers.put("API 405", RawHttp.exchange(port, "DELETE", "/api/info", null, 5000));
    answers.put("API 413", RawHttp.exchange(port, "POST", "/api/auth/login", "{\"x\":\"" + "y".repeat(8000) + "\"}",
      5000, json));
    answers.put("API 415", RawHttp.exchange(port, "POST", "/api/auth/login", "x", 5000, "Content-Type: text/plain"));
    answers.put("API 5xx", get(port, FailingRoutes.PATH));
    answers.put("health live", get(port, "/health/live"));
    answers.put("health ready", get(port, "/health/ready"));
    answers.put("metrics", get(port, "/metrics", "Authorization: Bearer " + ADMIN_TOKEN));
    answers.put("metrics refused", get(port, "/metrics"));
    answers.put("bridge info", get(port, "/eventbus/info" + query));
    answers.put("bridge 401", get(port, "/eventbus/info"));
    answers.put("bridge xhr", RawHttp.exchange(port, "POST", session + "/xhr" + query, "", 5000));
    answers.put("bridge xhr_send", RawHttp.exchange(port, "POST", session + "/xhr_send" + query,
      "[\"{\\\"type\\\":\\\"ping\\\"}\"]", 5000));
    answers.put("non-canonical path", get(port, "/api/./info"));
    answers.put("request Netty refuses", get(port, "/api/info", "X-Big: " + "z".repeat(10_000)));
    return answers;
  }

  static Answer get(int port, String target, String... headers) {
    return RawHttp.exchange(port, "GET", target, null, 5000, headers);
  }

  static void checkHeaders(String what, Answer answer) {
    String csp = answer.header("Content-Security-Policy");
    assertThat(csp).as(what + ": Content-Security-Policy").isNotNull().contains("frame-ancestors 'none'")
      .doesNotContain("unsafe-inline", "*", "http:", "https:");
    String type = answer.header("Content-Type");
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/html")) {
      assertThat(csp).as(what).contains("script-src 'self' 'unsafe-eval';", "style-src 'self';",
        "default-src 'none'", "object-src 'none'", "base-uri 'none'");
    } else {
      assertThat(csp).as(what).startsWith("default-src 'none';");
    }
    assertThat(answer.header("X-Frame-Options")).as(what).isEqualTo("DENY");
    assertThat(answer.header("X-Content-Type-Options")).as(what).isEqualTo("nosniff");
    assertThat(answer.header("Referrer-Policy")).as(what).isEqualTo("no-referrer");
    assertThat(answer.header("Cross-Origin-Opener-Policy")).as(what).isEqualTo("same-origin");
    assertThat(answer.header("Cross-Origin-Resource-Policy")).as(what).isEqualTo("same-origin");
    assertThat(answer.header("Permissions-Policy")).as(what).contains("camera=()", "geolocation=()");
    assertThat(answer.header("Server")).as(what + ": Server").isNull();
    assertThat(answer.header("X-Powered-By")).as(what + ": X-Powered-By").isNull();
    assertThat(answer.header("Set-Cookie")).as(what + ": no cookie").isNull();
    if (!answer.body().isEmpty()) {
      assertThat(type).as(what + ": Content-Type of a body").isNotNull();
    }
    boolean fromFiles = what.startsWith("UI") && answer.status() < 400 || what.startsWith("static")
      || what.startsWith("vendored") || what.startsWith("WebJar");
    if (!fromFiles) {
      assertThat(answer.header("Cache-Control")).as(what + ": Cache-Control").contains("no-store");
    }
  }
}
