package trader.eventsourcing.entity;

/**
 * What kind of refusal a rejection is, so that its caller can answer it without reading the reason (a REST edge maps
 * each to an HTTP status in one place).
 */
public enum RejectionKind {
  /** The command contradicts the entity's state (the default): e.g. not enough cash, an order that has ended. */
  CONFLICT,
  /** The command would take the entity beyond a limit it keeps (a quota): it may pass later. */
  LIMIT
}
