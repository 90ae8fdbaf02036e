package io.rnnstream.stream.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.registry.KernelWarmUp;
import io.rnnstream.stream.registry.ModelRegistry;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model registry on its own: loads off the calling thread, verification, warm-up, the cache's
 * bounds and eviction, reloads, and the pinned initial model. Versions are real artifacts, read and
 * verified through Flink's FileSystem by the job's {@link ModelLoader}, except where only the
 * cache's bookkeeping is under test.
 */
class ModelRegistryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir static Path models;
    private static TestModels.Written v1;
    private static TestModels.Written v2;

    private ModelRegistry<?> registry;

    @BeforeAll
    static void writeModels() throws Exception {
        Dataset data = TestModels.gaussianSequences("registry", 5, 10, 3, 2, List.of("x", "y"));
        v1 = TestModels.featureModel(models.resolve("v1"), "motion", 1, 3, CellType.LSTM, 5, data);
        v2 = TestModels.featureModel(models.resolve("v2"), "motion", 2, 4, CellType.ELMAN, 5, data);
    }

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void aMissStartsTheLoadOnALoaderThreadAndAReadyVersionIsVerifiedAndWarm() throws Exception {
        Map<ModelAnnouncement, String> loadedOn = new ConcurrentHashMap<>();
        ModelLoader loader = new ModelLoader();
        ModelRegistry<LoadedModel> classifiers =
                new ModelRegistry<>(
                        4,
                        2,
                        1,
                        announcement -> {
                            loadedOn.put(announcement, Thread.currentThread().getName());
                            return LoadedModel.load(loader, announcement);
                        },
                        "test");
        registry = classifiers;

        assertThat(classifiers.get(v2.announcement())).as("not ready at first").isNull();
        LoadedModel model = awaitReady(classifiers, v2.announcement());

        assertThat(loadedOn.get(v2.announcement()))
                .startsWith("model-loader test")
                .isNotEqualTo(Thread.currentThread().getName());
        assertThat(model.announcement()).isEqualTo(v2.announcement());
        assertThat(model.spec()).isEqualTo(v2.classifier().spec());
        assertThat(KernelWarmUp.isWarm(model.classifier())).as("warmed up").isTrue();
    }

    @Test
    void aTamperedArtifactIsRefusedWithTheVerifiersReasonAndNotRetried() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        ModelRegistry<LoadedModel> classifiers = classifiers(4, 2, loads);
        ModelAnnouncement tampered =
                new ModelAnnouncement("motion", 2, v2.announcement().uri(), "0".repeat(64));

        classifiers.get(tampered);
        awaitSettled(classifiers, tampered);

        assertThat(classifiers.status(tampered)).isEqualTo(ModelRegistry.Status.FAILED);
        assertThat(classifiers.failure(tampered)).containsIgnoringCase("sha-256");
        assertThat(classifiers.get(tampered)).isNull();
        assertThat(loads).as("a refused version is not loaded again").hasValue(1);

        classifiers.forget(tampered);
        classifiers.get(tampered);
        awaitSettled(classifiers, tampered);
        assertThat(loads).as("until forgotten").hasValue(2);
    }

    @Test
    void askingDoesNotWaitForALoadInProgress() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ModelRegistry<String> slow =
                new ModelRegistry<>(
                        4,
                        2,
                        1,
                        announcement -> {
                            release.await();
                            return "loaded " + announcement.version();
                        },
                        "test");
        registry = slow;
        ModelAnnouncement version = announcement("motion", 1);

        long start = System.nanoTime();
        for (int i = 0; i < 1_000; i++) {
            assertThat(slow.get(version)).isNull();
            slow.takeInCompleted();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(slow.status(version)).isEqualTo(ModelRegistry.Status.LOADING);

        release.countDown();
        assertThat(awaitReady(slow, version)).isEqualTo("loaded 1");
    }

    @Test
    void theCacheKeepsAtMostItsSizeAndEvictsTheLeastRecentlyUsed() throws Exception {
        ModelRegistry<String> cache = bookkeeping(3, 3);
        ModelAnnouncement a = announcement("a", 1);
        ModelAnnouncement b = announcement("b", 1);
        ModelAnnouncement c = announcement("c", 1);
        ModelAnnouncement d = announcement("d", 1);
        awaitReady(cache, a);
        awaitReady(cache, b);
        awaitReady(cache, c);
        cache.get(a); // b is now the least recently used

        awaitReady(cache, d);
        cache.takeInCompleted(); // the bounds hold from the start of the next call

        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.status(b)).isEqualTo(ModelRegistry.Status.ABSENT);
        assertThat(List.of(a, c, d))
                .allMatch(version -> cache.status(version) == ModelRegistry.Status.READY);
    }

    @Test
    void oneModelKeepsNoMoreThanItsBudgetAndLeavesTheOthersInPlace() throws Exception {
        ModelRegistry<String> cache = bookkeeping(4, 2);
        ModelAnnouncement other = announcement("other", 1);
        awaitReady(cache, other);
        for (long v = 1; v <= 3; v++) {
            awaitReady(cache, announcement("hourly", v));
        }
        cache.takeInCompleted();

        assertThat(cache.status(other)).isEqualTo(ModelRegistry.Status.READY);
        assertThat(cache.status(announcement("hourly", 1))).isEqualTo(ModelRegistry.Status.ABSENT);
        assertThat(cache.status(announcement("hourly", 2))).isEqualTo(ModelRegistry.Status.READY);
        assertThat(cache.status(announcement("hourly", 3))).isEqualTo(ModelRegistry.Status.READY);
    }

    @Test
    void anEvictedVersionLoadsAgainWhenAskedForAndIsVerifiedAgain() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        ModelRegistry<LoadedModel> classifiers = classifiers(1, 1, loads);
        awaitReady(classifiers, v1.announcement());
        awaitReady(classifiers, v2.announcement());
        classifiers.takeInCompleted();
        assertThat(classifiers.status(v1.announcement())).isEqualTo(ModelRegistry.Status.ABSENT);

        LoadedModel again = awaitReady(classifiers, v1.announcement());
        classifiers.takeInCompleted();

        assertThat(again.spec()).isEqualTo(v1.classifier().spec());
        assertThat(loads).hasValue(3);
        assertThat(classifiers.status(v2.announcement())).isEqualTo(ModelRegistry.Status.ABSENT);
    }

    @Test
    void thePinnedInitialModelLoadsAtOnceAndIsNeverEvicted() throws Exception {
        ModelRegistry<LoadedModel> classifiers = classifiers(1, 1, new AtomicInteger());

        LoadedModel initial = classifiers.loadPinned(v1.announcement());
        awaitReady(classifiers, v2.announcement());

        assertThat(classifiers.get(v1.announcement())).isSameAs(initial);
        assertThat(classifiers.size()).as("the pinned one beside the cache's one").isEqualTo(2);
    }

    @Test
    void versionsThatLoadTogetherStayUntilTheirFirstUseEvenBeyondTheBounds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ModelRegistry<String> cache =
                new ModelRegistry<>(
                        3,
                        1,
                        3,
                        announcement -> {
                            release.await();
                            return announcement.name();
                        },
                        "test");
        registry = cache;
        List<ModelAnnouncement> waiting =
                List.of(announcement("a", 1), announcement("a", 2), announcement("a", 3));
        waiting.forEach(cache::get);
        release.countDown();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!cache.finished() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        cache.takeInCompleted();

        assertThat(waiting)
                .as("each still there for the key that asked for it")
                .allMatch(version -> cache.get(version) != null);
        cache.takeInCompleted();
        assertThat(cache.size()).as("used, they count again").isEqualTo(1);
    }

    @Test
    void closingStopsTheLoaderThreads() throws Exception {
        ModelRegistry<String> cache = bookkeeping(2, 2);
        awaitReady(cache, announcement("a", 1));

        cache.close();

        assertThat(cache.awaitClosed(TIMEOUT.toMillis())).isTrue();
    }

    /** Real classifier versions, read and verified by {@link ModelLoader}; {@code loads} counts. */
    private ModelRegistry<LoadedModel> classifiers(int size, int perModel, AtomicInteger loads) {
        ModelLoader loader = new ModelLoader();
        ModelRegistry<LoadedModel> classifiers =
                new ModelRegistry<>(
                        size,
                        perModel,
                        1,
                        announcement -> {
                            loads.incrementAndGet();
                            return LoadedModel.load(loader, announcement);
                        },
                        "test");
        registry = classifiers;
        return classifiers;
    }

    private ModelRegistry<String> bookkeeping(int size, int perModel) {
        ModelRegistry<String> cache =
                new ModelRegistry<>(
                        size,
                        perModel,
                        1,
                        announcement -> announcement.name() + "/" + announcement.version(),
                        "test");
        registry = cache;
        return cache;
    }

    private static ModelAnnouncement announcement(String name, long version) {
        return new ModelAnnouncement(name, version, "file:///nowhere/" + name, "0".repeat(64));
    }

    /** Asks for {@code version} as the task thread would, until it is ready. */
    private static <M> M awaitReady(ModelRegistry<M> registry, ModelAnnouncement version)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            registry.takeInCompleted();
            M model = registry.get(version);
            if (model != null) {
                return model;
            }
            assertThat(registry.failure(version)).as("load of %s", version).isNull();
            Thread.sleep(2);
        }
        throw new AssertionError(version + " did not load within " + TIMEOUT);
    }

    private static void awaitSettled(ModelRegistry<?> registry, ModelAnnouncement version)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (registry.status(version) == ModelRegistry.Status.LOADING
                && System.nanoTime() < deadline) {
            registry.takeInCompleted();
            Thread.sleep(2);
        }
    }
}
