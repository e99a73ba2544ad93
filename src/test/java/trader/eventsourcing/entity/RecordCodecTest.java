package trader.eventsourcing.entity;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordCodecTest {

  sealed interface Shape {
    record Circle(BigDecimal radius) implements Shape {
    }

    record Square(long side) implements Shape {
    }
  }

  private final RecordCodec<Shape> codec = RecordCodec.of(Shape.class)
    .add("shape.circle", 2, Shape.Circle.class)
    .add("shape.square", Shape.Square.class)
    .build();

  @Test
  void storesStableNamesAndDecimalsAsStrings() {
    Shape circle = new Shape.Circle(new BigDecimal("1.50"));
    assertThat(codec.typeName(circle)).isEqualTo("shape.circle");
    assertThat(codec.schemaVersion(circle)).isEqualTo(2);
    JsonObject json = codec.encode(circle);
    assertThat(json).isEqualTo(new JsonObject().put("radius", "1.50"));
    assertThat(codec.decode("shape.circle", new JsonObject(json.encode()))).isEqualTo(circle);
    assertThat(json.encode()).doesNotContain("Circle");
  }

  @Test
  void ignoresUnknownFieldsAndNamesUnknownTypes() {
    assertThat(codec.decode("shape.square", new JsonObject().put("side", 3).put("colour", "red")))
      .isEqualTo(new Shape.Square(3));
    assertThatThrownBy(() -> codec.decode("shape.triangle", new JsonObject()))
      .hasMessageContaining("'shape.triangle'").hasMessageContaining("shape.circle");
  }

  /**
   * With shared decodings, read sides decoding the same stored event (one JSON object) share one decoding; other JSON
   * is decoded anew. Without, every decoding is new.
   */
  @Test
  void decodesTheSameJsonObjectOnceIfSharing() {
    RecordCodec<Shape> codec = RecordCodec.of(Shape.class).add("shape.circle", 2, Shape.Circle.class)
      .add("shape.square", Shape.Square.class).sharingDecodings().build();
    JsonObject json = new JsonObject().put("side", 4);
    assertThat(this.codec.decode("shape.square", json)).isNotSameAs(this.codec.decode("shape.square", json));
    Shape first = codec.decode("shape.square", json);
    assertThat(codec.decode("shape.square", json)).isSameAs(first);
    JsonObject equal = json.copy();
    assertThat(codec.decode("shape.square", equal)).isEqualTo(first).isNotSameAs(first);
    assertThatThrownBy(() -> codec.decode("shape.triangle", json)).hasMessageContaining("'shape.triangle'");
    for (int i = 0; i < 5000; i++) {
      codec.decode("shape.square", new JsonObject().put("side", i)); // pushes the first out of the memo
    }
    assertThat(codec.decode("shape.square", json)).isEqualTo(new Shape.Square(4));
  }

  @Test
  void refusesIncompleteOrAmbiguousRegistrations() {
    assertThatThrownBy(() -> RecordCodec.of(Shape.class).add("shape.circle", Shape.Circle.class).build())
      .hasMessageContaining("no name for [Square]");
    assertThatThrownBy(() -> RecordCodec.of(Shape.class).add("x", Shape.Circle.class).add("x", Shape.Square.class))
      .hasMessageContaining("'x' is registered twice");
  }

  record Drawing(String title, Map<String, Shape.Circle> circles, List<Long> sides, String note) {
  }

  @Test
  void writesTheSameJsonAsTextAsAsAnObject() {
    RecordCodec<Drawing> drawings = RecordCodec.of(Drawing.class).add("drawing", Drawing.class).build();
    Drawing drawing = new Drawing("plan", new TreeMap<>(Map.of("b", new Shape.Circle(new BigDecimal("2.00")),
      "a", new Shape.Circle(new BigDecimal("0.10")))), List.of(3L, 4L), null);
    String text = drawings.encodeText(drawing);
    assertThat(new JsonObject(text)).isEqualTo(drawings.encode(drawing));
    assertThat(text).contains("\"radius\":\"0.10\"").contains("\"note\":null");
    assertThat(drawings.decode("drawing", new JsonObject(text))).isEqualTo(drawing);
  }
}
