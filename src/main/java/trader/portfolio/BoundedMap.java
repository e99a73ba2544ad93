package trader.portfolio;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Thread-safe maps of a bounded size, for the read side's caches. */
final class BoundedMap {

  private BoundedMap() {
  }

  /** A map that drops its eldest entry (least recently used if {@code accessOrder}) beyond {@code max}. */
  static <V> Map<String, V> create(int max, boolean accessOrder) {
    return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, accessOrder) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    });
  }
}
