package pulse.runner.planner;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.flink.configuration.Configuration;

/**
 * A session and the one thread that does all its work. Flink 1.12's planner keeps Calcite's
 * metadata providers in a thread-local set up by the thread that built the TableEnvironment
 * (FlinkRelOptClusterFactory): planning on any other thread fails with a NullPointerException in
 * FlinkRelMetadataQuery. One thread per session also runs its statements one at a time.
 */
final class SessionThread {
    private final ExecutorService thread;
    private final Session session;

    SessionThread(final String id, final Map<String, String> properties, final Configuration cluster) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "session-" + id);
            t.setDaemon(true);
            return t;
        });
        Session built;
        try {
            built = call(() -> new Session(id, properties, cluster));
        } catch (RuntimeException e) {
            thread.shutdownNow();
            throw e;
        }
        this.session = built;
    }

    String id() {
        return session.id;
    }

    /** Runs work on the session's thread and waits for it; its exceptions come back as they were. */
    <T> T run(SessionWork<T> work) {
        return call(() -> work.apply(session));
    }

    void close() {
        thread.shutdownNow();
    }

    private <T> T call(Callable<T> work) {
        Future<T> future = thread.submit(work);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new PlannerError(503, "interrupted while the session worked");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw PlannerError.fromFlink(cause);
        }
    }

    /** Work on a session. */
    interface SessionWork<T> {
        T apply(Session session) throws Exception;
    }
}
