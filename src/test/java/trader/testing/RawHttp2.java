package trader.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One HTTP/2 request over cleartext with prior knowledge, written frame by frame on a socket, so that a test can
 * send header values no client library lets through (every one validates them; the server's HTTP/2 decoder does not,
 * unlike its HTTP/1.1 one). Netty's HPACK coder encodes the headers; nothing else is negotiated.
 */
public final class RawHttp2 {

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int SETTINGS = 4;
  private static final int GOAWAY = 7;
  private static final int END_STREAM = 0x1;
  private static final int ACK = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int PADDED = 0x8;
  private static final int PRIORITY = 0x20;

  private RawHttp2() {
  }

  /** The response: status, headers, body as text. */
  public record Response(int status, Map<String, String> headers, String body) {
  }

  /** Sends {@code method path} with {@code headers} (lower-case names) and {@code body} (null for none). */
  public static Response send(int port, String method, String path, Map<String, String> headers, String body)
    throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(PREFACE);
      frame(out, SETTINGS, 0, 0, new byte[0]);
      Http2Headers request = new DefaultHttp2Headers(false).method(method).scheme("http").path(path)
        .authority("127.0.0.1:" + port);
      headers.forEach(request::add);
      ByteBuf block = Unpooled.buffer();
      new DefaultHttp2HeadersEncoder().encodeHeaders(1, request, block);
      byte[] encoded = new byte[block.readableBytes()];
      block.readBytes(encoded);
      frame(out, HEADERS, END_HEADERS | (body == null ? END_STREAM : 0), 1, encoded);
      if (body != null) {
        frame(out, DATA, END_STREAM, 1, body.getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
      return read(new DataInputStream(socket.getInputStream()), out);
    }
  }

  private static Response read(DataInputStream in, OutputStream out) throws Exception {
    DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
    Http2Headers headers = null;
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = in.readNBytes(length);
      if (type == SETTINGS && (flags & ACK) == 0) {
        frame(out, SETTINGS, ACK, 0, new byte[0]);
      } else if (type == GOAWAY) {
        throw new IOException("the server went away: " + new String(payload, 8, payload.length - 8,
          StandardCharsets.UTF_8));
      } else if (type == HEADERS && stream == 1) {
        int padding = (flags & PADDED) != 0 ? payload[0] & 0xff : 0;
        int start = ((flags & PADDED) != 0 ? 1 : 0) + ((flags & PRIORITY) != 0 ? 5 : 0);
        headers = decoder.decodeHeaders(1, Unpooled.wrappedBuffer(payload, start, payload.length - start - padding));
      } else if (type == DATA && stream == 1) {
        int padding = (flags & PADDED) != 0 ? payload[0] & 0xff : 0;
        int start = (flags & PADDED) != 0 ? 1 : 0;
        body.write(payload, start, payload.length - start - padding);
      }
      if (stream == 1 && (type == HEADERS || type == DATA) && (flags & END_STREAM) != 0) {
        break;
      }
    }
    Map<String, String> names = new java.util.TreeMap<>();
    headers.forEach(h -> names.put(h.getKey().toString(), h.getValue().toString()));
    return new Response(Integer.parseInt(headers.status().toString()), names, body.toString(StandardCharsets.UTF_8));
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
    out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
      (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
      (byte) stream});
    out.write(payload);
  }
}
