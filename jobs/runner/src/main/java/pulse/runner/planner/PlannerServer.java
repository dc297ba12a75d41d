package pulse.runner.planner;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The SQL gateway's planner: a long-lived JVM holding one Flink 1.12 TableEnvironment per SQL
 * session, answering catalog statements from the real planner and submitting previews as jobs.
 * JSON over HTTP on loopback; the control plane's gateway is its only client.
 *
 * <p>Arguments: {@code --port P --flink-rest http://host:port [--host 127.0.0.1] [--jar path]}
 * (the jar shipped with previews defaults to the one this class was loaded from).
 */
public final class PlannerServer {
    private static final Logger LOG = LoggerFactory.getLogger(PlannerServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, SessionThread> sessions = new ConcurrentHashMap<String, SessionThread>();
    private final Configuration cluster;
    private HttpServer server;
    private ExecutorService pool;

    PlannerServer(Configuration cluster) {
        this.cluster = cluster;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = flags(args);
        int port = Integer.parseInt(require(flags, "--port"));
        URI rest = URI.create(require(flags, "--flink-rest"));
        String host = flags.containsKey("--host") ? flags.get("--host") : "127.0.0.1";
        File jar = flags.containsKey("--jar")
            ? new File(flags.get("--jar"))
            : new File(PlannerServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        PlannerServer planner = new PlannerServer(clusterConfiguration(rest, jar));
        planner.start(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(planner::stop, "planner-shutdown"));
        LOG.info("planner listening on {}:{}, submitting to {} with {}", host, port, rest, jar);
    }

    /** Where previews go: the session cluster's REST endpoint, detached, shipping the runner jar. */
    static Configuration clusterConfiguration(URI rest, File jar) throws IOException {
        Configuration conf = new Configuration();
        conf.setString("execution.target", "remote");
        conf.setString("rest.address", rest.getHost());
        conf.setInteger("rest.port", rest.getPort() > 0 ? rest.getPort() : 8081);
        conf.setBoolean("execution.attached", false);
        conf.setString("pipeline.jars", jar.toURI().toURL().toString());
        return conf;
    }

    void start(String host, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 64);
        // Each request waits for its session's thread: a fixed pool could be filled by slow
        // statements of a few sessions while /health waits behind them.
        pool = Executors.newCachedThreadPool();
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    void stop() {
        if (server != null) {
            server.stop(1);
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String[] path = segments(exchange.getRequestURI().getRawPath());
        long started = System.currentTimeMillis();
        int status = 200;
        JsonNode answer;
        try {
            answer = route(method, path, exchange);
        } catch (PlannerError e) {
            status = e.status();
            answer = error(e.getMessage(), e);
            if (status >= 500) {
                LOG.error("{} {} failed", method, exchange.getRequestURI(), e);
            } else {
                LOG.info("{} {} refused: {}", method, exchange.getRequestURI(), e.getMessage(), e.getCause());
            }
        } catch (Throwable e) {
            status = 500;
            answer = error(String.valueOf(e.getMessage()), null);
            LOG.error("{} {} failed", method, exchange.getRequestURI(), e);
        }
        byte[] body = JSON.writeValueAsBytes(answer);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        if (!"/health".equals(exchange.getRequestURI().getPath())) {
            LOG.info("{} {} -> {} in {} ms", method, exchange.getRequestURI().getPath(), status,
                System.currentTimeMillis() - started);
        }
    }

    private JsonNode route(String method, String[] path, HttpExchange exchange) throws IOException {
        if (path.length == 1 && "health".equals(path[0]) && "GET".equals(method)) {
            ObjectNode health = JSON.createObjectNode();
            health.put("flinkVersion", EnvironmentInformation.getVersion());
            health.put("sessions", sessions.size());
            return health;
        }
        if (path.length >= 1 && "sessions".equals(path[0])) {
            if (path.length == 1 && "POST".equals(method)) {
                return openSession(body(exchange));
            }
            if (path.length == 2 && "GET".equals(method)) {
                ObjectNode out = JSON.createObjectNode();
                out.set("properties", JSON.valueToTree(session(path[1]).run(Session::properties)));
                return out;
            }
            if (path.length == 2 && "DELETE".equals(method)) {
                SessionThread closed = sessions.remove(path[1]);
                if (closed == null) {
                    throw new PlannerError(404, "unknown session " + path[1]);
                }
                closed.close();
                LOG.info("session {} closed ({} open)", path[1], sessions.size());
                return JSON.createObjectNode();
            }
            if (path.length == 3 && "statements".equals(path[2]) && "POST".equals(method)) {
                return statement(session(path[1]), body(exchange));
            }
            if (path.length == 3 && "complete".equals(path[2]) && "POST".equals(method)) {
                JsonNode body = body(exchange);
                String statement = text(body, "statement");
                int position = body.path("position").asInt(statement.length());
                List<String> candidates = session(path[1]).run(s -> s.complete(statement, position));
                ObjectNode out = JSON.createObjectNode();
                out.set("candidates", JSON.valueToTree(candidates));
                return out;
            }
        }
        throw new PlannerError(404, "no such endpoint: " + method + " /" + String.join("/", path));
    }

    private JsonNode openSession(JsonNode body) {
        String id = body.hasNonNull("sessionId") ? body.get("sessionId").asText() : UUID.randomUUID().toString();
        if (sessions.containsKey(id)) {
            throw new PlannerError(409, "session " + id + " is already open");
        }
        Map<String, String> properties = new HashMap<String, String>();
        Iterator<Map.Entry<String, JsonNode>> fields = body.path("properties").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            properties.put(e.getKey(), e.getValue().asText());
        }
        SessionThread session = new SessionThread(id, properties, cluster);
        if (body.hasNonNull("prelude")) {
            String prelude = body.get("prelude").asText();
            try {
                session.run(s -> {
                    s.runPrelude(prelude);
                    return null;
                });
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
        }
        if (sessions.putIfAbsent(id, session) != null) {
            session.close();
            throw new PlannerError(409, "session " + id + " is already open");
        }
        LOG.info("session {} opened ({} open)", id, sessions.size());
        ObjectNode out = JSON.createObjectNode();
        out.put("sessionId", id);
        return out;
    }

    private JsonNode statement(SessionThread session, JsonNode body) {
        String statement = text(body, "statement");
        Session.Preview preview = null;
        JsonNode p = body.get("preview");
        if (p != null && !p.isNull()) {
            preview = new Session.Preview(text(p, "topic"), text(p, "bootstrapServers"),
                p.hasNonNull("jobName") ? p.get("jobName").asText() : "sql-preview");
        }
        final Session.Preview wanted = preview;
        return session.run(s -> s.execute(statement, wanted));
    }

    private SessionThread session(String id) {
        SessionThread session = sessions.get(id);
        if (session == null) {
            throw new PlannerError(404, "unknown session " + id);
        }
        return session;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw new PlannerError(400, "the request needs \"" + field + "\" (a string)");
        }
        return value.asText();
    }

    private static JsonNode body(HttpExchange exchange) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (InputStream in = exchange.getRequestBody()) {
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) > 0) {
                buffer.write(chunk, 0, n);
            }
        }
        if (buffer.size() == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(buffer.toByteArray());
            if (node == null || !node.isObject()) {
                throw new PlannerError(400, "the request body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new PlannerError(400, "the request body is not JSON: " + e.getMessage());
        }
    }

    /** The path's segments, each URL-decoded (a session id may hold any character). */
    static String[] segments(String rawPath) {
        String[] parts = rawPath.replaceAll("^/+|/+$", "").split("/");
        for (int i = 0; i < parts.length; i++) {
            try {
                parts[i] = URLDecoder.decode(parts[i].replace("+", "%2B"), "UTF-8");
            } catch (UnsupportedEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return parts;
    }

    static ObjectNode error(String message, PlannerError e) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode error = out.putObject("error");
        error.put("message", message);
        if (e != null && e.hasPosition()) {
            error.put("line", e.line());
            error.put("column", e.column());
        }
        return out;
    }

    private static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new HashMap<String, String>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i], args[i + 1]);
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("incomplete argument " + args[args.length - 1]
                + " (usage: --port P --flink-rest http://host:port [--host H] [--jar path])");
        }
        return Collections.unmodifiableMap(flags);
    }

    private static String require(Map<String, String> flags, String flag) {
        String value = flags.get(flag);
        if (value == null) {
            throw new IllegalArgumentException("missing " + flag
                + " (usage: --port P --flink-rest http://host:port [--host H] [--jar path])");
        }
        return value;
    }
}
