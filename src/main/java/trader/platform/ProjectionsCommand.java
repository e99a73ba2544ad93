package trader.platform;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import trader.eventsourcing.projection.ProjectionControl;
import trader.eventsourcing.projection.ProjectionControl.RebuildStatus;
import trader.eventsourcing.projection.ProjectionControl.ShardStatus;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code trader projections status | rebuild NAME | resume NAME}: operate the read sides of a running cluster. */
@Command(name = "projections", mixinStandardHelpOptions = true,
  description = "Look at, rebuild and resume the read sides (projections) of the cluster that uses the configured "
    + "PostgreSQL (or the dev-mode node running on data.dir).",
  subcommands = {ProjectionsCommand.Status.class, ProjectionsCommand.Rebuild.class, ProjectionsCommand.Resume.class})
public final class ProjectionsCommand {

  @Option(names = "--config", paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
    description = "A JSON configuration file over the defaults.")
  Path config;

  /** Runs {@code work} with a pool on the tools' database, then closes everything. */
  static <T> T withPool(Path config, java.util.function.Function<Pool, T> work) {
    Settings settings = Main.loadSettings(config);
    Vertx vertx = Cluster.localVertx();
    try {
      return work.apply(Database.forTools(settings).pool(vertx));
    } finally {
      vertx.close().await();
    }
  }

  @Command(name = "status", description = "Per projection and shard: offset, events applied, lag, stopped reason.")
  static final class Status implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    ProjectionsCommand parent;

    @Override
    public Integer call() {
      List<ShardStatus> rows = withPool(parent.config, pool -> ProjectionControl.status(pool).await());
      PrintStream out = System.out;
      out.printf("%-28s %4s %5s %22s %12s %12s %10s  %s%n", "PROJECTION", "VER", "SHARD", "OFFSET", "APPLIED",
        "LAG EVENTS", "LAG MS", "STATE");
      for (ShardStatus s : rows) {
        String state = s.stoppedReason() != null ? "STOPPED: " + s.stoppedReason()
          : s.buildingVersion() != null ? "running; rebuilding into v" + s.buildingVersion() : "running";
        out.printf("%-28s %4d %5d %22s %12d %12d %10d  %s%n", s.projection(), s.version(), s.shard(), s.offset(),
          s.eventsApplied(), s.lagEvents(), s.lagMillis(), state);
      }
      if (rows.isEmpty()) {
        out.println("(no projection has run against this database yet)");
      }
      return 0;
    }
  }

  @Command(name = "rebuild", description = {"Rebuilds a projection from the start of the journal into a new version "
    + "while the current one keeps serving, then swaps. The node running the projection does the work; this "
    + "command asks for it and shows its progress."})
  static final class Rebuild implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    ProjectionsCommand parent;

    @Parameters(paramLabel = "NAME", description = "the projection, as listed by 'projections status'")
    String name;

    @Option(names = "--pickup-timeout", defaultValue = "15", description = "seconds to wait for a node to start it")
    int pickupTimeout;

    @Override
    public Integer call() throws InterruptedException {
      return withPool(parent.config, pool -> {
        long id = ProjectionControl.requestRebuild(pool, name).await();
        ProgressBar bar = new ProgressBar(System.out, System.console() != null);
        long requested = System.nanoTime();
        while (true) {
          RebuildStatus s = ProjectionControl.rebuildStatus(pool, id).await();
          if (!s.started() && System.nanoTime() - requested > pickupTimeout * 1_000_000_000L) {
            System.err.println("No node picked up the rebuild of '" + name + "' within " + pickupTimeout
              + " s. Is a node running it? (the request stays open and runs when one starts)");
            return 1;
          }
          if (s.started()) {
            bar.show(s.done(), s.total());
          }
          if (s.finished()) {
            bar.show(s.done(), s.total());
            bar.end();
            if (s.error() != null) {
              System.err.println("Rebuild of '" + name + "' failed: " + s.error());
              return 1;
            }
            System.out.println("Projection '" + name + "' rebuilt: version " + s.newVersion() + " is now active.");
            return 0;
          }
          sleep(250);
        }
      });
    }
  }

  @Command(name = "resume", description = "Resumes the stopped shards of a projection once the cause is fixed.")
  static final class Resume implements Callable<Integer> {
    @picocli.CommandLine.ParentCommand
    ProjectionsCommand parent;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      int resumed = withPool(parent.config, pool -> ProjectionControl.resume(pool, name).await());
      System.out.println(resumed == 0 ? "No stopped shard of '" + name + "'."
        : "Resumed " + resumed + " shard(s) of '" + name + "'; they continue within a second.");
      return 0;
    }
  }

  /** Events done / total, percentage and rate; redrawn in place on a terminal, a line per second otherwise. */
  static final class ProgressBar {
    private final PrintStream out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastLine;

    ProgressBar(PrintStream out, boolean terminal) {
      this.out = out;
      this.terminal = terminal;
    }

    void show(long done, long total) {
      double seconds = Math.max(0.001, (System.nanoTime() - start) / 1e9);
      int width = 30;
      int filled = total == 0 ? width : (int) Math.min(width, done * width / total);
      String line = String.format(Locale.ROOT, "[%s%s] %3d%%  %,d / %,d events  %,.0f events/s",
        "#".repeat(filled), "-".repeat(width - filled), total == 0 ? 100 : Math.min(100, done * 100 / total), done,
        total, done / seconds);
      if (terminal) {
        out.print("\r" + line);
      } else if (System.nanoTime() - lastLine > 1_000_000_000L || done >= total) {
        lastLine = System.nanoTime();
        out.println(line);
      }
      out.flush();
    }

    void end() {
      if (terminal) {
        out.println();
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
