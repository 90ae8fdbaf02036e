package io.rnnstream.stream.registry;

import io.rnnstream.stream.model.ModelAnnouncement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loaded model versions of one subtask: loads (read, verify, build, warm up) run on a small
 * pool of daemon threads, and the task thread only asks, without waiting, whether a version is
 * ready ({@link #get}); a miss requests the load and the caller comes back later.
 *
 * <p>All bookkeeping belongs to the task thread; the loader threads only run {@link Loader#load}
 * and hand the outcome over through a concurrent queue, which the task thread takes in with {@link
 * #takeInCompleted} at the start of each call it gets from Flink. So a version becomes ready, and
 * another is evicted to make room, only between two calls, never while a call uses the versions it
 * found ready.
 *
 * <p>The cache is bounded: at most {@code capacity} versions, at most {@code perModel} of one model
 * name (a model retrained every hour would otherwise push every other model's versions out), least
 * recently used first out. Pinned versions (the initial model) are never evicted and count toward
 * neither bound, nor do versions not yet asked for since they loaded. An evicted version loads
 * again, verified again, when next asked for, as after a restore. A failed load is remembered with
 * its reason, and not retried, until {@link #forget}.
 *
 * @param <M> the loaded form of a version
 */
public final class ModelRegistry<M> implements AutoCloseable {

    /** Reads, verifies, builds and warms up one version; runs on a loader thread. */
    @FunctionalInterface
    public interface Loader<M> {
        M load(ModelAnnouncement announcement) throws Exception;
    }

    /** Where a requested version stands. */
    public enum Status {
        READY,
        LOADING,
        FAILED,
        /** Neither loaded nor loading nor failed: evicted, or never requested. */
        ABSENT
    }

    /** A finished load, handed from a loader thread to the task thread. */
    private record Completed<M>(ModelAnnouncement announcement, M model, String failure) {}

    private final int capacity;
    private final int perModel;
    private final Loader<M> loader;
    private final ExecutorService loaders;

    /** Ready versions, least recently used first (access order). */
    private final LinkedHashMap<ModelAnnouncement, M> ready = new LinkedHashMap<>(16, 0.75f, true);

    private final Set<ModelAnnouncement> pinned = new HashSet<>();

    /**
     * Loaded versions not asked for since they arrived: kept beyond the bounds until first used, so
     * that loads finishing together cannot evict each other before the keys that asked for them
     * come back (which could otherwise go on for ever when more versions are needed at once than
     * the cache holds).
     */
    private final Set<ModelAnnouncement> unused = new HashSet<>();

    private final Set<ModelAnnouncement> loading = new HashSet<>();
    private final Map<ModelAnnouncement, String> failures = new HashMap<>();
    private final Queue<Completed<M>> completed = new ConcurrentLinkedQueue<>();

    /** Whether the bounds may be exceeded, by versions that count since their first use. */
    private boolean overBudget;

    /**
     * @param capacity the most versions kept loaded, pinned ones aside
     * @param perModel the most versions of one model name kept loaded, pinned ones aside
     * @param threads loader threads; loads beyond them queue
     * @param owner names the threads, e.g. the operator and subtask
     */
    public ModelRegistry(int capacity, int perModel, int threads, Loader<M> loader, String owner) {
        if (capacity < 1 || perModel < 1 || perModel > capacity) {
            throw new IllegalArgumentException(
                    "the model cache needs 1 <= per-model budget <= size, was per-model "
                            + perModel
                            + " and size "
                            + capacity);
        }
        this.capacity = capacity;
        this.perModel = perModel;
        this.loader = loader;
        this.loaders = Executors.newFixedThreadPool(threads, daemonThreads(owner));
    }

    /**
     * Loads {@code announcement} on the calling thread and keeps it for good: for the initial
     * model, which the job should refuse to start without (its failure is the caller's exception).
     */
    public M loadPinned(ModelAnnouncement announcement) throws Exception {
        M model = loader.load(announcement);
        ready.put(announcement, model);
        pinned.add(announcement);
        return model;
    }

    /**
     * The loaded version, or null while it is not ready; then its load is requested unless it runs
     * or has failed. A ready version costs one map lookup.
     */
    public M get(ModelAnnouncement announcement) {
        M model = ready.get(announcement);
        if (model == null) {
            request(announcement);
        } else if (!unused.isEmpty() && unused.remove(announcement)) {
            overBudget = true; // it counts now; evicted for at the start of the next call
        }
        return model;
    }

    /** Starts loading {@code announcement} unless it is ready, loading or has failed. */
    public void request(ModelAnnouncement announcement) {
        if (ready.containsKey(announcement)
                || loading.contains(announcement)
                || failures.containsKey(announcement)) {
            return;
        }
        loading.add(announcement);
        loaders.execute(() -> completed.add(loadOrFailure(announcement)));
    }

    /** Where {@code announcement} stands, without requesting it or touching the LRU order. */
    public Status status(ModelAnnouncement announcement) {
        if (ready.containsKey(announcement)) {
            return Status.READY;
        }
        if (loading.contains(announcement)) {
            return Status.LOADING;
        }
        return failures.containsKey(announcement) ? Status.FAILED : Status.ABSENT;
    }

    /** Why the load of {@code announcement} failed, or null if it has not. */
    public String failure(ModelAnnouncement announcement) {
        return failures.get(announcement);
    }

    /** Drops a failed or loaded version, so that a request loads it afresh. */
    public void forget(ModelAnnouncement announcement) {
        failures.remove(announcement);
        if (!pinned.contains(announcement)) {
            ready.remove(announcement);
            unused.remove(announcement);
        }
    }

    /** Whether {@link #takeInCompleted} has anything to do: a finished load, or an eviction. */
    public boolean hasNews() {
        return overBudget || !completed.isEmpty();
    }

    /**
     * Takes in the loads finished since the last call (task thread only), evicting as the bounds
     * say; returns whether any finished. Cheap when none did.
     */
    public boolean takeInCompleted() {
        if (overBudget) {
            overBudget = false;
            evict();
        }
        if (completed.isEmpty()) {
            return false;
        }
        Completed<M> done;
        while ((done = completed.poll()) != null) {
            ModelAnnouncement announcement = done.announcement();
            loading.remove(announcement);
            if (done.failure() != null) {
                failures.put(announcement, done.failure());
            } else {
                ready.put(announcement, done.model());
                unused.add(announcement);
            }
        }
        evict();
        return true;
    }

    /** Loaded versions, pinned ones included. */
    public int size() {
        return ready.size();
    }

    /**
     * Whether every requested load has finished (possibly not yet taken in); the task thread's
     * view, for tests that wait for loads.
     */
    public boolean finished() {
        return completed.size() >= loading.size();
    }

    @Override
    public void close() {
        loaders.shutdownNow();
    }

    /** Waits, up to {@code millis}, for the loader threads to stop after {@link #close}. */
    public boolean awaitClosed(long millis) throws InterruptedException {
        return loaders.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    private Completed<M> loadOrFailure(ModelAnnouncement announcement) {
        try {
            return new Completed<>(announcement, loader.load(announcement), null);
        } catch (Exception | LinkageError e) {
            String reason = e.getMessage() != null ? e.getMessage() : e.toString();
            return new Completed<>(announcement, null, reason);
        }
    }

    /** Evicts, least recently used first, until neither bound is exceeded. */
    private void evict() {
        if (unused.size() > capacity) {
            // More unused arrivals than the cache holds: nobody waits for most of them.
            unused.clear();
        }
        Map<String, Integer> ofName = new HashMap<>();
        int total = 0;
        for (ModelAnnouncement a : ready.keySet()) {
            if (evictable(a)) {
                ofName.merge(a.name(), 1, Integer::sum);
                total++;
            }
        }
        Iterator<ModelAnnouncement> eldestFirst = ready.keySet().iterator();
        while (eldestFirst.hasNext()) {
            ModelAnnouncement a = eldestFirst.next();
            if (!evictable(a)) {
                continue;
            }
            int sameName = ofName.get(a.name());
            if (total > capacity || sameName > perModel) {
                eldestFirst.remove();
                total--;
                ofName.put(a.name(), sameName - 1);
            }
        }
    }

    private boolean evictable(ModelAnnouncement announcement) {
        return !pinned.contains(announcement) && !unused.contains(announcement);
    }

    private static ThreadFactory daemonThreads(String owner) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread =
                    new Thread(task, "model-loader " + owner + " #" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
