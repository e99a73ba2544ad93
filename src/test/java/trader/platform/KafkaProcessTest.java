package trader.platform;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code trader kafka} in a child JVM: clients reach it, and closing it ends the process. */
class KafkaProcessTest {

  @Test
  void aChildJvmRunsTheBrokerUntilClosed(@TempDir Path dir) throws Exception {
    KafkaProcess kafka = KafkaProcess.start(dir.resolve("kafka"));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
      AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 40_000))) {
      assertThat(admin.describeCluster().nodes().get(20, TimeUnit.SECONDS)).hasSize(1);
      assertThat(kafka.cpuNanos()).isPositive();
    } finally {
      kafka.close();
    }
    assertThat(ProcessHandle.current().children().anyMatch(p -> p.info().arguments()
      .map(args -> String.join(" ", args).contains(dir.toString())).orElse(false))).isFalse();
  }
}
