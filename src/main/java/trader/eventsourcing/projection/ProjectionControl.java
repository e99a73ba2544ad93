package trader.eventsourcing.projection;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import trader.eventsourcing.journal.Position;

import java.util.ArrayList;
import java.util.List;

/** What operators do with projections from the command line or the admin API: look, resume. */
public final class ProjectionControl {

  private ProjectionControl() {
  }

  /**
   * The state of one shard of a projection's active version.
   *
   * @param lagEvents approximate count of journal events after the shard's offset (global sequence distance)
   * @param lagMillis age of the shard's oldest unapplied event, 0 when caught up
   */
  public record ShardStatus(String projection, int version, int shard, Position offset, long eventsApplied,
                            long lagEvents, long lagMillis, String stoppedReason, Integer buildingVersion) {
  }

  public static Future<List<ShardStatus>> status(Pool pool) {
    return pool.query("""
        with head as (
          -- the last event in commit-safe order (positions of concurrent transactions interleave, so not max)
          select coalesce((select position from journal
            where transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            order by journal.transaction_id desc, journal.position desc limit 1), 0) as seq)
        select v.name, v.active_version, v.building_version, o.shard, o.transaction_id, o.sequence,
               o.events_applied, o.stopped_reason, head.seq as head,
               (select extract(epoch from now() - min(j.created_at)) * 1000 from journal j
                 where (j.transaction_id::text::bigint, j.position) > (o.transaction_id, o.sequence)
                   and j.transaction_id < pg_snapshot_xmin(pg_current_snapshot())) as lag_ms
        from projection_versions v
        join projection_offsets o on o.name = v.name and o.version = v.active_version
        cross join head
        order by v.name, o.shard""").execute().map(rows -> {
      List<ShardStatus> list = new ArrayList<>();
      for (Row r : rows) {
        Position offset = new Position(r.getLong("transaction_id"), r.getLong("sequence"));
        Number lagMs = r.getNumeric("lag_ms");
        list.add(new ShardStatus(r.getString("name"), r.getInteger("active_version"), r.getInteger("shard"),
          offset, r.getLong("events_applied"), Math.max(0, r.getLong("head") - offset.sequence()),
          lagMs == null ? 0 : lagMs.longValue(), r.getString("stopped_reason"), r.getInteger("building_version")));
      }
      return list;
    });
  }

  /** A rebuild request and how far it got. */
  public record RebuildStatus(long id, boolean started, boolean finished, long done, long total, Integer newVersion,
                              String error) {
  }

  /**
   * Asks the cluster to rebuild {@code projection}: the node running its shard 0 picks the request up within
   * a second or two. Returns the request's id (an open request's id if one is pending already).
   */
  public static Future<Long> requestRebuild(Pool pool, String projection) {
    return pool.preparedQuery("insert into projection_rebuilds (name) values ($1) on conflict (name) "
        + "where finished_at is null do update set name = excluded.name returning id")
      .execute(Tuple.of(ProjectionSchema.validName(projection))).map(rows -> rows.iterator().next().getLong(0));
  }

  public static Future<RebuildStatus> rebuildStatus(Pool pool, long id) {
    return pool.preparedQuery("select id, started_at is not null as started, finished_at is not null as finished, "
        + "done, total, new_version, error from projection_rebuilds where id = $1").execute(Tuple.of(id))
      .map(rows -> {
        Row r = rows.iterator().next();
        return new RebuildStatus(r.getLong("id"), r.getBoolean("started"), r.getBoolean("finished"),
          r.getLong("done"), r.getLong("total"), r.getInteger("new_version"), r.getString("error"));
      });
  }

  /** Clears the stop of every shard of {@code projection}; the runners go on within a second. */
  public static Future<Integer> resume(Pool pool, String projection) {
    return pool.preparedQuery("update projection_offsets set stopped_reason = null, updated_at = now() "
        + "where name = $1 and stopped_reason is not null")
      .execute(Tuple.of(projection)).map(rows -> rows.rowCount());
  }
}
