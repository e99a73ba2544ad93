package trader.platform;

import java.util.List;

/** The bounded contexts a node of this product runs, in start order. */
public final class Contexts {

  private Contexts() {
  }

  public static List<BoundedContext> all() {
    return List.of();
  }
}
