package trader.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the test JVM logs while it is open: every event that passes its logger's level, from any thread. Loggers
 * named in {@link #start} are set to the given levels meanwhile (and back on {@link #close}), so that a test can
 * see what a class logs at DEBUG.
 */
public final class LogCapture implements AutoCloseable {

  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  /** The loggers whose level {@link #start} changed, with the level they had (null: inherited). */
  private final List<Map.Entry<Logger, Optional<Level>>> previous = new CopyOnWriteArrayList<>();
  private final Logger root;
  private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      events.add(event);
    }
  };

  private LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    appender.setContext(context);
    appender.setName("capture-" + System.identityHashCode(this));
    appender.start();
    root.addAppender(appender);
  }

  /** Starts capturing; {@code levels} maps logger names to the level they log at meanwhile. */
  public static LogCapture start(Map<String, Level> levels) {
    LogCapture capture = new LogCapture();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    levels.forEach((name, level) -> {
      Logger logger = context.getLogger(name);
      capture.previous.add(Map.entry(logger, Optional.ofNullable(logger.getLevel())));
      logger.setLevel(level);
    });
    return capture;
  }

  /** The events so far at {@code level} or above. */
  public List<ILoggingEvent> atLeast(Level level) {
    return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(level)).toList();
  }

  /** The events so far of the logger {@code name} (exactly) at {@code level}. */
  public List<ILoggingEvent> of(String name, Level level) {
    return events.stream().filter(e -> e.getLoggerName().equals(name) && e.getLevel() == level).toList();
  }

  /** One line per event, with its logger and the first line of its exception: for assertion messages. */
  public static String describe(List<ILoggingEvent> events) {
    StringBuilder text = new StringBuilder();
    events.forEach(e -> text.append(e.getLevel()).append(' ').append(e.getLoggerName()).append(": ")
      .append(e.getFormattedMessage()).append(e.getThrowableProxy() == null ? ""
        : " [" + e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage() + "]")
      .append('\n'));
    return text.toString();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    previous.forEach(e -> e.getKey().setLevel(e.getValue().orElse(null)));
  }
}
