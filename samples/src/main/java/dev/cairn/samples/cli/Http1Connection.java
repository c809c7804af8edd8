package dev.cairn.samples.cli;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection that POSTs a prepared request and reads {@code Content-Length}
 * responses, the way load generators such as wrk do: a blocking socket per client and no thread
 * hand-off, so that the benchmark measures the server rather than the client. Reconnects when the
 * server closes the connection. Not thread-safe: one per client thread.
 */
final class Http1Connection implements AutoCloseable {
    /** A response: status, the Inference-Header-Content-Length header (or null), and the body. */
    record Response(int status, String inferenceHeaderLength, byte[] body) {
    }

    private final URI uri;
    private final byte[] request;
    private final int timeoutMs;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    /** {@code POST path} with {@code headers} (each "Name: value") and {@code body}, sent again on every {@link #exchange}. */
    Http1Connection(URI uri, String[] headers, byte[] body, int timeoutMs) {
        this.uri = uri;
        this.timeoutMs = timeoutMs;
        StringBuilder sb = new StringBuilder("POST ").append(uri.getRawPath()).append(" HTTP/1.1\r\nHost: ")
                .append(uri.getHost()).append(':').append(uri.getPort()).append("\r\nContent-Length: ").append(body.length)
                .append("\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        byte[] head = sb.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
    }

    /** Sends the request and reads the response; a read past the timeout throws {@link java.net.SocketTimeoutException}. */
    Response exchange() throws IOException {
        boolean reused = socket != null;
        try {
            return exchangeOnce();
        } catch (StaleConnection e) {
            if (!reused) {
                throw e;
            }
            return exchangeOnce(); // the server closed an idle keep-alive connection: retry once on a new one
        }
    }

    /** The server closed the connection before sending any byte of the response. */
    private static final class StaleConnection extends EOFException {
        private static final long serialVersionUID = 1L;

        StaleConnection() {
            super("the server closed the connection before answering");
        }
    }

    private Response exchangeOnce() throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
        }
        try {
            try {
                out.write(request);
                out.flush();
            } catch (java.net.SocketException e) {
                throw new StaleConnection();
            }
            String status;
            try {
                status = line();
            } catch (EOFException | java.net.SocketException e) {
                throw new StaleConnection();
            }
            int code = Integer.parseInt(status.substring(9, 12));
            int length = -1;
            String ihl = null;
            boolean close = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Integer.parseInt(value);
                    case "inference-header-content-length" -> ihl = value;
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    case "transfer-encoding" -> throw new IOException("chunked responses are not supported by the bench client");
                    default -> {
                    }
                }
            }
            byte[] body = length <= 0 ? new byte[0] : in.readNBytes(length);
            if (body.length < Math.max(0, length)) {
                throw new EOFException("the server closed the connection mid-body");
            }
            if (close) {
                close();
            }
            return new Response(code, ihl, body);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("the server closed the connection");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
