package trader.platform;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

  private final Vertx vertx = Vertx.vertx();
  private final JsonObject defaults = new JsonObject().put("http.port", 8080).put("pg.url", "")
    .put("pg.pool-size", 8).put("feature.on", false);

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void laterSourcesWin_fileThenEnvironmentThenSystemProperty() {
    JsonObject file = new JsonObject().put("http.port", 9000).put("pg.pool-size", 3);
    Settings s = Settings.resolve(defaults, file, Map.of("TRADER_HTTP_PORT", "9100", "TRADER_PG_URL", "postgresql://x/y"),
      Map.of("trader.http.port", "9200"));
    assertThat(s.integer("http.port")).isEqualTo(9200);
    assertThat(s.integer("pg.pool-size")).isEqualTo(3);
    assertThat(s.string("pg.url")).isEqualTo("postgresql://x/y");
    assertThat(s.bool("feature.on")).isFalse();
    assertThat(s.isSet("pg.url")).isTrue();
  }

  @Test
  void unparsableValueNamesKeyAndSource() {
    assertThatThrownBy(() -> Settings.resolve(defaults, new JsonObject(), Map.of("TRADER_PG_POOL_SIZE", "eight"), Map.of()))
      .isInstanceOf(Settings.ConfigException.class)
      .hasMessage("Invalid value 'eight' for configuration key 'pg.pool-size' (from environment variable "
        + "TRADER_PG_POOL_SIZE): expected a whole number");
    assertThatThrownBy(() -> Settings.resolve(defaults, new JsonObject(), Map.of(), Map.of("trader.feature.on", "yes")))
      .hasMessageContaining("'feature.on'").hasMessageContaining("expected true or false");
  }

  @Test
  void unknownKeyInFileIsRefused() {
    assertThatThrownBy(() -> Settings.resolve(defaults, new JsonObject().put("http.prot", 1), Map.of(), Map.of()))
      .isInstanceOf(Settings.ConfigException.class).hasMessageContaining("'http.prot'");
  }

  @Test
  void outOfRangeValueIsRefused() {
    Settings s = Settings.of(defaults, Map.of("http.port", 70000));
    assertThatThrownBy(() -> s.integer("http.port", 0, 65535)).hasMessageContaining("'http.port' is 70000");
  }

  @Test
  void loadsPackedDefaultsAndAConfigFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.json");
    Files.writeString(file, "{\"http.port\": 9999, \"node.name\": \"n1\"}");
    Settings s = Settings.load(vertx, file).await();
    assertThat(s.integer("http.port")).isEqualTo(9999);
    assertThat(s.string("node.name")).isEqualTo("n1");
    assertThat(s.string("cluster.config")).isEqualTo("conf/cluster.xml");
  }

  @Test
  void missingConfigFileIsAClearError(@TempDir Path dir) {
    assertThatThrownBy(() -> Settings.load(vertx, dir.resolve("nope.json")).await())
      .isInstanceOf(Settings.ConfigException.class).hasMessageContaining("Configuration file not found");
  }

  @Test
  void everyDocumentedKeyIsADefault() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    for (String key : Settings.defaults().fieldNames()) {
      assertThat(readme).as("README documents %s", key).contains("`" + key + "`");
    }
  }

  @Test
  void environmentNames() {
    assertThat(Settings.envName("pg.pool-size")).isEqualTo("TRADER_PG_POOL_SIZE");
    assertThat(Settings.envName("http.body-limit-bytes")).isEqualTo("TRADER_HTTP_BODY_LIMIT_BYTES");
  }
}
