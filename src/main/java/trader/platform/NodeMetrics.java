package trader.platform;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The node's Prometheus registry, as {@code /metrics} shows it: every meter tagged with the node's name, Vert.x
 * HTTP server metrics per route, and histogram buckets on the latencies that dashboards and alerts take quantiles of.
 */
final class NodeMetrics {

  /** Bucket bounds of the HTTP latency histogram: enough for p50/p99 and an SLO line, few enough to stay cheap. */
  private static final double[] HTTP_BUCKETS_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  private NodeMetrics() {
  }

  static PrometheusMeterRegistry registry(String nodeName) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags(Tags.of("node", nodeName)).meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals("vertx.http.server.response.time")) {
          return config;
        }
        double[] nanos = new double[HTTP_BUCKETS_SECONDS.length];
        for (int i = 0; i < nanos.length; i++) {
          nanos[i] = HTTP_BUCKETS_SECONDS[i] * TimeUnit.SECONDS.toNanos(1);
        }
        return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos)
          .expiry(Duration.ofMinutes(2)).build().merge(config);
      }
    });
    return registry;
  }

  /** Vert.x metrics into that registry: JVM, pools, event bus, HTTP server with the route a request matched. */
  static MicrometerMetricsOptions vertxMetricsOptions() {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true);
    options.addLabels(Label.HTTP_ROUTE);
    return options;
  }
}
