package trader.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 over a plain socket, for requests that an HTTP client would tidy up first: the request target is sent
 * byte for byte as given ({@code //eventbus/./x}, {@code %78hr}, invalid escapes). One request per connection
 * ({@code Connection: close}); the answer is read until the server closes or {@code readMillis} passed, so that a
 * streaming answer (SockJS xhr_streaming, eventsource) yields what arrived by then.
 */
public final class RawHttp {

  private RawHttp() {
  }

  /** An answer as read: status (0 when none came), headers (names in lower case) and the de-chunked body so far. */
  public record Answer(int status, Map<String, String> headers, String body, boolean complete) {

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Sends {@code method target} with {@code headers} (each "Name: value") and {@code body}, and reads the answer. */
  public static Answer exchange(int port, String method, String target, String body, long readMillis,
                                String... headers) {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
      .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    if (body != null || method.equals("POST")) {
      request.append("Content-Length: ").append(content.length).append("\r\n");
    }
    request.append("\r\n");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().write(content);
      socket.getOutputStream().flush();
      return parse(read(socket, readMillis));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the socket delivered until it closed or the time was up; the flag says whether it closed. */
  private record Bytes(byte[] data, boolean closed) {
  }

  private static Bytes read(Socket socket, long readMillis) throws IOException {
    long deadline = System.currentTimeMillis() + readMillis;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return new Bytes(out.toByteArray(), false);
      }
      socket.setSoTimeout((int) Math.max(1, left));
      try {
        int n = in.read(buffer);
        if (n < 0) {
          return new Bytes(out.toByteArray(), true);
        }
        out.write(buffer, 0, n);
        if (complete(out.toByteArray())) {
          return new Bytes(out.toByteArray(), true);
        }
      } catch (SocketTimeoutException e) {
        return new Bytes(out.toByteArray(), false);
      } catch (IOException e) {
        return new Bytes(out.toByteArray(), true); // reset by the server: what came before counts
      }
    }
  }

  private static final Pattern CONTENT_LENGTH = Pattern.compile("\r\ncontent-length: *(\\d+)");

  /** Whether {@code data} holds a whole answer: its length reached, its last chunk read, or one without a body. */
  private static boolean complete(byte[] data) {
    String text = new String(data, StandardCharsets.ISO_8859_1);
    int headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0) {
      return false;
    }
    String head = text.substring(0, headEnd).toLowerCase(Locale.ROOT);
    if (head.matches("(?s)http/1\\.. (1\\d\\d|204|304) .*")) {
      return true;
    }
    Matcher length = CONTENT_LENGTH.matcher(head);
    if (length.find()) {
      return data.length - headEnd - 4 >= Integer.parseInt(length.group(1));
    }
    return head.contains("\r\ntransfer-encoding: chunked") && text.endsWith("\r\n0\r\n\r\n");
  }

  private static Answer parse(Bytes bytes) {
    String text = new String(bytes.data(), StandardCharsets.ISO_8859_1);
    int headEnd = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.") || headEnd < 0) {
      return new Answer(0, Map.of(), text, bytes.closed());
    }
    String[] lines = text.substring(0, headEnd).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
        (a, b) -> a + ", " + b);
    }
    String rawBody = text.substring(headEnd + 4);
    String body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? dechunk(rawBody) : rawBody;
    return new Answer(status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8),
      bytes.closed());
  }

  /** The chunks' data, up to the last complete chunk (a streaming answer may stop in the middle of one). */
  private static String dechunk(String raw) {
    StringBuilder body = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = raw.indexOf("\r\n", at);
      if (lineEnd < 0) {
        return body.toString();
      }
      int size = Integer.parseInt(raw.substring(at, lineEnd).split(";")[0].trim(), 16);
      if (size == 0 || lineEnd + 2 + size > raw.length()) {
        return body.toString();
      }
      body.append(raw, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }
}
