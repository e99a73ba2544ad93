package trader.eventsourcing.entity;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The entities in memory on this node, of all types, in least-recently-used order, at most {@code maxActive}.
 *
 * <p>A new entity takes the place of the least recently used idle one. An entity is never removed while it has a
 * command in progress or queued; when every place is taken by such an entity, the new entity's commands wait (in
 * arrival order) until one becomes idle. Removing an entity loses nothing: its events are in the journal.
 *
 * <p>Confined to the runtime's context. The counters are volatile so that {@link EntityStats} can be read anywhere.
 */
final class ActiveEntities {

  private final int maxActive;
  private final long idleNanos;
  /** By stream id; access order, so iteration starts at the least recently used. */
  private final LinkedHashMap<String, LiveEntity<?, ?, ?>> entities = new LinkedHashMap<>(256, 0.75f, true);
  /** Entities that have commands but no place yet, in arrival order. */
  private final LinkedHashMap<String, Waiting<?>> waiting = new LinkedHashMap<>();

  private volatile int active;
  private volatile int peakActive;
  private volatile int waitingCount;
  private volatile long passivations;

  ActiveEntities(int maxActive, long idleNanos) {
    this.maxActive = maxActive;
    this.idleNanos = idleNanos;
  }

  /** Hands {@code command} to the entity of {@code streamId}, creating it with {@code create} if not in memory. */
  @SuppressWarnings("unchecked")
  <C> void deliver(String streamId, Supplier<LiveEntity<C, ?, ?>> create, Pending<C> command) {
    LiveEntity<C, ?, ?> entity = (LiveEntity<C, ?, ?>) entities.get(streamId);
    if (entity != null) {
      entity.enqueue(command);
      return;
    }
    Waiting<C> queued = (Waiting<C>) waiting.get(streamId);
    if (queued == null && (entities.size() < maxActive || evictOneIdle())) {
      admit(streamId, create.get(), List.of(command));
      return;
    }
    if (queued == null) {
      queued = new Waiting<>(create);
      waiting.put(streamId, queued);
    }
    queued.commands.add(command);
    counted();
  }

  /** Called by an entity whose mailbox just emptied. */
  void becameIdle(LiveEntity<?, ?, ?> entity) {
    if ((entity.passivateWhenIdle || entity.isFinal()) && entities.get(entity.streamId) == entity) {
      entities.remove(entity.streamId);
      passivations++;
    }
    admitWaiting();
    counted();
  }

  /** Removes the entities idle for longer than the idle timeout. */
  void passivateIdle(long nowNanos) {
    Iterator<LiveEntity<?, ?, ?>> it = entities.values().iterator();
    while (it.hasNext()) {
      LiveEntity<?, ?, ?> e = it.next();
      if (e.isIdle() && nowNanos - e.lastUsedNanos >= idleNanos) {
        it.remove();
        passivations++;
      }
    }
    admitWaiting();
    counted();
  }

  /**
   * Removes the entities of {@code typeName} whose shard another node owns now, so that when the shard comes back
   * they are recovered from the journal (which then holds what the other owner wrote). Busy ones leave when idle.
   */
  void ownershipChanged(String typeName, Ownership ownership) {
    Iterator<LiveEntity<?, ?, ?>> it = entities.values().iterator();
    while (it.hasNext()) {
      LiveEntity<?, ?, ?> e = it.next();
      if (!e.typeName.equals(typeName) || ownership.isLocal(e.shard)) {
        continue;
      }
      if (e.isIdle()) {
        it.remove();
        passivations++;
      } else {
        e.passivateWhenIdle = true;
      }
    }
    admitWaiting();
    counted();
  }

  /** Removes {@code streamId} from memory now if idle, else as soon as it is; false if it was not in memory. */
  boolean passivate(String streamId) {
    LiveEntity<?, ?, ?> e = entities.get(streamId);
    if (e == null) {
      return false;
    }
    if (e.isIdle()) {
      entities.remove(streamId);
      passivations++;
      admitWaiting();
      counted();
    } else {
      e.passivateWhenIdle = true;
    }
    return true;
  }

  /** Marks every entity to leave memory when idle and removes the idle ones now. */
  void passivateAll() {
    List.copyOf(entities.keySet()).forEach(this::passivate);
  }

  boolean allIdle() {
    return entities.values().stream().allMatch(LiveEntity::isIdle);
  }

  /** Fails the commands that never got a place; for closing. */
  void failWaiting(Throwable cause) {
    waiting.values().forEach(w -> w.commands.forEach(c -> c.fail(cause)));
    waiting.clear();
    counted();
  }

  LiveEntity<?, ?, ?> find(String streamId) {
    return entities.get(streamId);
  }

  boolean contains(String streamId) {
    return entities.containsKey(streamId);
  }

  int active() {
    return active;
  }

  int peakActive() {
    return peakActive;
  }

  int waitingCount() {
    return waitingCount;
  }

  long passivations() {
    return passivations;
  }

  private <C> void admit(String streamId, LiveEntity<C, ?, ?> entity, List<Pending<C>> commands) {
    entities.put(streamId, entity);
    counted();
    commands.forEach(entity::enqueue);
  }

  private void admitWaiting() {
    while (!waiting.isEmpty() && (entities.size() < maxActive || evictOneIdle())) {
      Iterator<Map.Entry<String, Waiting<?>>> it = waiting.entrySet().iterator();
      Map.Entry<String, Waiting<?>> first = it.next();
      it.remove();
      first.getValue().admitInto(this, first.getKey());
    }
  }

  /** Removes the least recently used idle entity; false if every entity is busy. */
  private boolean evictOneIdle() {
    Iterator<LiveEntity<?, ?, ?>> it = entities.values().iterator();
    while (it.hasNext()) {
      if (it.next().isIdle()) {
        it.remove();
        passivations++;
        return true;
      }
    }
    return false;
  }

  private void counted() {
    active = entities.size();
    peakActive = Math.max(peakActive, active);
    waitingCount = waiting.size();
  }

  private static final class Waiting<C> {
    final Supplier<LiveEntity<C, ?, ?>> create;
    final List<Pending<C>> commands = new ArrayList<>();

    Waiting(Supplier<LiveEntity<C, ?, ?>> create) {
      this.create = create;
    }

    void admitInto(ActiveEntities entities, String streamId) {
      entities.admit(streamId, create.get(), commands);
    }
  }
}
