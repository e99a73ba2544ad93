package trader.platform;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node's configuration: a flat set of keys such as {@code http.port}, typed by their defaults.
 *
 * <p>Sources, later ones winning: {@code conf/application.json} (the defaults, also packed in the jar),
 * the file given with {@code --config}, environment variables ({@code http.port} is
 * {@code TRADER_HTTP_PORT}) and system properties ({@code -Dtrader.http.port=...}).
 * A key nobody knows, or a value that does not parse as its default's type, stops the start with a
 * {@link ConfigException} naming the key and where the value came from.
 */
public final class Settings {

  static final String DEFAULTS = "conf/application.json";
  private static final String ENV_PREFIX = "TRADER_";
  private static final String SYS_PREFIX = "trader.";

  private final JsonObject values;

  private Settings(JsonObject values) {
    this.values = values;
  }

  /** The defaults as packed in the jar. */
  public static JsonObject defaults() {
    try (var in = Settings.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS + " is missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Settings from explicit values over the packed defaults; for tests and tools. */
  public static Settings of(Map<String, ?> overrides) {
    return of(defaults(), overrides);
  }

  /** Settings from explicit values over the given defaults. */
  public static Settings of(JsonObject defaults, Map<String, ?> overrides) {
    JsonObject merged = defaults.copy();
    overrides.forEach((k, v) -> {
      if (!defaults.containsKey(k)) {
        throw new ConfigException("Unknown configuration key '" + k + "'");
      }
      merged.put(k, convert(k, defaults.getValue(k), String.valueOf(v), "override"));
    });
    return new Settings(merged);
  }

  /** Reads the defaults, then {@code configFile} (may be null), then environment and system properties. */
  public static Future<Settings> load(Vertx vertx, Path configFile) {
    if (configFile != null && !Files.isRegularFile(configFile)) {
      return Future.failedFuture(new ConfigException("Configuration file not found: " + configFile));
    }
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0).setIncludeDefaultStores(false)
      .addStore(json(DEFAULTS));
    if (configFile != null) {
      options.addStore(json(configFile.toString()));
    }
    ConfigRetriever defaultsOnly = ConfigRetriever.create(vertx,
      new ConfigRetrieverOptions().setScanPeriod(0).setIncludeDefaultStores(false).addStore(json(DEFAULTS)));
    ConfigRetriever files = ConfigRetriever.create(vertx, options);
    return defaultsOnly.getConfig()
      .compose(defaults -> files.getConfig().map(fromFiles -> resolve(defaults, fromFiles, System.getenv(),
        System.getProperties())))
      .recover(e -> Future.failedFuture(e instanceof ConfigException ? e
        : new ConfigException("Cannot read configuration: " + e.getMessage())))
      .andThen(ar -> {
        defaultsOnly.close();
        files.close();
      });
  }

  static Settings resolve(JsonObject defaults, JsonObject fromFiles, Map<String, String> env, Map<Object, Object> sys) {
    JsonObject resolved = new JsonObject();
    for (String key : new TreeMap<>(defaults.getMap()).keySet()) {
      Object def = defaults.getValue(key);
      Object value = def;
      if (fromFiles.containsKey(key)) {
        value = convert(key, def, String.valueOf(fromFiles.getValue(key)), "configuration file");
      }
      String envName = envName(key);
      if (env.containsKey(envName)) {
        value = convert(key, def, env.get(envName), "environment variable " + envName);
      }
      Object sysValue = sys.get(SYS_PREFIX + key);
      if (sysValue != null) {
        value = convert(key, def, sysValue.toString(), "system property " + SYS_PREFIX + key);
      }
      resolved.put(key, value);
    }
    for (String key : fromFiles.fieldNames()) {
      if (!defaults.containsKey(key)) {
        throw new ConfigException("Unknown configuration key '" + key + "' in the configuration file");
      }
    }
    return new Settings(resolved);
  }

  /** The environment variable that sets {@code key}: {@code pg.pool-size} is {@code TRADER_PG_POOL_SIZE}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static Object convert(String key, Object def, String raw, String source) {
    String text = raw.trim();
    try {
      if (def instanceof Integer) {
        return Integer.parseInt(text);
      }
      if (def instanceof Long) {
        return Long.parseLong(text);
      }
      if (def instanceof Boolean) {
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
          throw new NumberFormatException();
        }
        return Boolean.parseBoolean(text);
      }
      return raw;
    } catch (NumberFormatException e) {
      String expected = def instanceof Boolean ? "true or false" : "a whole number";
      throw new ConfigException("Invalid value '" + raw + "' for configuration key '" + key + "' (from " + source
        + "): expected " + expected);
    }
  }

  private static ConfigStoreOptions json(String path) {
    return new ConfigStoreOptions().setType("file").setFormat("json").setConfig(new JsonObject().put("path", path));
  }

  public String string(String key) {
    return (String) require(key);
  }

  public int integer(String key) {
    return (Integer) require(key);
  }

  /** An integer that must lie in [min, max]; says which key is wrong otherwise. */
  public int integer(String key, int min, int max) {
    int value = integer(key);
    if (value < min || value > max) {
      throw new ConfigException("Configuration key '" + key + "' is " + value + ": must be between " + min
        + " and " + max);
    }
    return value;
  }

  /** A decimal amount such as {@code "10000.00"} (kept as a string in the sources, so it stays exact). */
  public java.math.BigDecimal decimal(String key) {
    String text = string(key).trim();
    try {
      return new java.math.BigDecimal(text);
    } catch (NumberFormatException e) {
      throw new ConfigException("Invalid value '" + text + "' for configuration key '" + key
        + "': expected a decimal number such as 10000.00");
    }
  }

  public boolean bool(String key) {
    return (Boolean) require(key);
  }

  public boolean isSet(String key) {
    Object v = values.getValue(key);
    return v != null && !(v instanceof String s && s.isBlank());
  }

  /** A copy with one key changed, for wiring that derives settings (e.g. the embedded database URL). */
  public Settings with(String key, Object value) {
    require(key);
    return new Settings(values.copy().put(key, value));
  }

  public JsonObject asJson() {
    return values.copy();
  }

  private Object require(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException("No configuration key '" + key + "'");
    }
    return values.getValue(key);
  }

  /** A configuration problem a user can fix; its message says what and where. */
  public static final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
      super(message, null, false, false);
    }
  }
}
