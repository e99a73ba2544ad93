package trader.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import trader.testing.ApiNode;
import trader.testing.NodeProcess;
import trader.testing.RawHttp;
import trader.testing.RawHttp.Answer;
import trader.testing.TestDatabase;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /metrics} is not public: without a management port it answers the admin token only (as Prometheus sends
 * it, {@code Authorization: Bearer}, or as the admin API takes it, {@code X-Admin-Token}); with one it is served
 * there and nowhere else, and the management port serves nothing else.
 */
class MetricsExposureTest {

  @RegisterExtension
  static final TestDatabase db = new TestDatabase(false);

  static final String ADMIN_TOKEN = "metrics-exposure-admin-token-012345";

  @Test
  void onThePublicPortMetricsAreForTheAdminTokenOnly() {
    try (ApiNode api = ApiNode.start(db, Map.of("admin.token", ADMIN_TOKEN))) {
      int port = api.node().httpPort();
      String userToken = api.signup().token();
      assertThat(metrics(port).status()).isEqualTo(401);
      assertThat(metrics(port, "Authorization: Bearer " + ADMIN_TOKEN + "x").status()).isEqualTo(401);
      assertThat(metrics(port, "Authorization: Bearer " + userToken).status()).isEqualTo(401);
      assertThat(metrics(port, "X-Admin-Token: " + ADMIN_TOKEN.substring(1)).status()).isEqualTo(401);
      assertThat(metrics(port).body()).contains("admin token").doesNotContain("jvm_");

      Answer bearer = metrics(port, "Authorization: Bearer " + ADMIN_TOKEN);
      assertThat(bearer.status()).isEqualTo(200);
      assertThat(bearer.body()).contains("jvm_memory_used_bytes");
      assertThat(metrics(port, "X-Admin-Token: " + ADMIN_TOKEN).status()).isEqualTo(200);
    }
  }

  @Test
  void withoutAnAdminTokenOrAManagementPortNobodyReadsMetrics() {
    try (ApiNode api = ApiNode.start(db, Map.of())) {
      int port = api.node().httpPort();
      assertThat(metrics(port).status()).isEqualTo(401);
      assertThat(metrics(port, "Authorization: Bearer ").status()).isEqualTo(401);
      assertThat(metrics(port, "Authorization: Bearer " + api.signup().token()).status()).isEqualTo(401);
    }
  }

  @Test
  void aManagementPortServesMetricsAndNothingElse() {
    int management = NodeProcess.freePort();
    try (ApiNode api = ApiNode.start(db, Map.of("admin.token", ADMIN_TOKEN, "management.port", management))) {
      int port = api.node().httpPort();
      // gone from the public port, even for the admin token
      assertThat(metrics(port, "Authorization: Bearer " + ADMIN_TOKEN).status()).isEqualTo(404);

      Answer scraped = metrics(management);
      assertThat(scraped.status()).isEqualTo(200);
      assertThat(scraped.body()).contains("jvm_memory_used_bytes");
      HeadersSecurityTest.checkHeaders("management /metrics", scraped);
      for (String path : new String[] {"/", "/api/info", "/health/ready", "/index.html", "/eventbus/info"}) {
        Answer other = RawHttp.exchange(management, "GET", path, null, 5000);
        assertThat(other.status()).as(path).isEqualTo(404);
        HeadersSecurityTest.checkHeaders("management " + path, other);
      }
      assertThat(RawHttp.exchange(management, "GET", "/./metrics", null, 5000).status()).isEqualTo(400);
    }
  }

  static Answer metrics(int port, String... headers) {
    return RawHttp.exchange(port, "GET", "/metrics", null, 5000, headers);
  }
}
