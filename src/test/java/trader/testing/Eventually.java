package trader.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for what happens asynchronously: a read side catching up, a saga ending, a broker coming back. */
public final class Eventually {

  private Eventually() {
  }

  /** Polls {@code condition} every 50 ms until it holds; fails after {@code within}. */
  public static void until(BooleanSupplier condition, Duration within) {
    until(condition, within, () -> "");
  }

  /** The same; the failure's message ends with {@code why} (read when it fails: what the state was). */
  public static void until(BooleanSupplier condition, Duration within, Supplier<String> why) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + within + ": " + why.get());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
