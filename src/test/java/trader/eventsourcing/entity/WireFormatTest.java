package trader.eventsourcing.entity;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A rejection keeps its kind between nodes; one from a node that sends none, or an unknown one, is a conflict. */
class WireFormatTest {

  @Test
  void aRejectionKeepsItsKindOnTheWire() {
    Reply limit = new Reply.Rejected("too many", RejectionKind.LIMIT);
    assertThat(WireFormat.replyFromJson(WireFormat.toJson(limit))).isEqualTo(limit);
    Reply conflict = new Reply.Rejected("no cash");
    assertThat(WireFormat.replyFromJson(WireFormat.toJson(conflict))).isEqualTo(conflict);
  }

  @Test
  void anOlderOrNewerNodesRejectionIsAConflict() {
    JsonObject older = new JsonObject().put("outcome", "rejected").put("reason", "no cash");
    assertThat(WireFormat.replyFromJson(older)).isEqualTo(new Reply.Rejected("no cash", RejectionKind.CONFLICT));
    assertThat(WireFormat.replyFromJson(older.copy().put("kind", "SOMETHING_NEW")))
      .isEqualTo(new Reply.Rejected("no cash", RejectionKind.CONFLICT));
  }
}
