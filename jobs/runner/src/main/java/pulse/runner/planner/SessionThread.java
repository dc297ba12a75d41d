package pulse.runner.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.flink.configuration.Configuration;

/**
 * A session and the one thread that does all its work. Flink 1.12's planner keeps Calcite's
 * metadata providers in a thread-local set up by the thread that built the TableEnvironment
 * (FlinkRelOptClusterFactory): planning on any other thread fails with a NullPointerException in
 * FlinkRelMetadataQuery. One thread per session also runs its statements one at a time.
 */
final class SessionThread {
    private final ThreadPoolExecutor thread;
    private final String id;
    private final Session session;

    SessionThread(final String id, final Map<String, String> properties, final Configuration cluster) {
        this.id = id;
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<Runnable>(), r -> {
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
        return id;
    }

    /** Runs work on the session's thread and waits for it; its exceptions come back as they were. */
    <T> T run(SessionWork<T> work) {
        return call(() -> work.apply(session));
    }

    /**
     * Ends the session: the statement running finishes and is answered (a preview it submits is
     * reported, so its job can be cancelled), the ones still queued are answered 404.
     */
    void close() {
        thread.shutdown();
        List<Runnable> queued = new ArrayList<Runnable>();
        thread.getQueue().drainTo(queued);
        for (Runnable r : queued) {
            if (r instanceof Future) {
                ((Future<?>) r).cancel(false);
            }
        }
    }

    private <T> T call(Callable<T> work) {
        Future<T> future;
        try {
            future = thread.submit(work);
        } catch (RejectedExecutionException e) {
            throw new PlannerError(404, "unknown session " + id + " (it was closed)");
        }
        try {
            return future.get();
        } catch (CancellationException e) {
            throw new PlannerError(404, "unknown session " + id + " (it was closed)");
        } catch (InterruptedException e) {
            future.cancel(false);
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
