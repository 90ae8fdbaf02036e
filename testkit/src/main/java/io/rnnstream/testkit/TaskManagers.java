package io.rnnstream.testkit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** Losing and replacing TaskManagers of the test MiniCluster. */
public final class TaskManagers {

    private TaskManagers() {}

    /**
     * Two TaskManagers with one slot each: a job with parallelism 2 has tasks on both, so losing
     * either one fails tasks, and the job cannot run again until a replacement registers.
     */
    public static MiniClusterExtension twoWithOneSlotEach() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(2)
                        .setNumberSlotsPerTaskManager(1)
                        .build());
    }

    /**
     * Terminates the first TaskManager, starts a replacement and waits until every task of {@code
     * job} runs again in a new attempt; returns the time from the loss until then.
     */
    public static Duration replaceOne(MiniCluster cluster, JobID job, Duration bound)
            throws Exception {
        long lost = System.nanoTime();
        cluster.terminateTaskManager(0).get(1, TimeUnit.MINUTES);
        cluster.startTaskManager();
        long deadline = lost + bound.toNanos();
        while (!runningAgain(cluster.getExecutionGraph(job).get())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the job did not run again within " + bound + " of losing a TaskManager");
            }
            Thread.sleep(50);
        }
        return Duration.ofNanos(System.nanoTime() - lost);
    }

    private static boolean runningAgain(AccessExecutionGraph graph) {
        boolean restarted = false;
        for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
            if (vertex.getExecutionState() != ExecutionState.RUNNING) {
                return false;
            }
            restarted |= vertex.getCurrentExecutionAttempt().getAttemptNumber() > 0;
        }
        return restarted;
    }
}
