package io.rnnstream.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * A local Flink cluster whose jobs can be watched task by task: how long every task takes from
 * submission, and from entering INITIALIZING (where Flink restores a task's state) to RUNNING. Used
 * to compare a start from a savepoint with a start without state.
 */
final class StateProbe implements AutoCloseable {

    private final MiniCluster cluster;

    StateProbe(Configuration conf) throws Exception {
        Configuration clusterConf = new Configuration(conf);
        // Any free port: a fixed one collides with other local clusters on the machine.
        clusterConf.set(RestOptions.BIND_PORT, "0");
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(clusterConf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .build());
        cluster.start();
    }

    /**
     * Submits {@code graph} and waits until every task is RUNNING, watching the tasks every 20 ms:
     * milliseconds from submission until every task had been deployed (INITIALIZING, where Flink
     * restores a task's state, or later) and until every task was RUNNING.
     */
    Started start(JobGraph graph, Duration timeout) throws Exception {
        long submitted = System.currentTimeMillis();
        JobID id = cluster.submitJob(graph).get().getJobID();
        long deadline = System.nanoTime() + timeout.toNanos();
        long deployed = -1;
        while (true) {
            AccessExecutionGraph execution = cluster.getExecutionGraph(id).get();
            // Until the scheduler has built the graph there are no vertices, and "all running"
            // would hold trivially.
            int vertices = 0;
            boolean allDeployed = true;
            boolean allRunning = true;
            for (AccessExecutionVertex vertex : execution.getAllExecutionVertices()) {
                vertices++;
                ExecutionState state = vertex.getExecutionState();
                if (state == ExecutionState.FAILED) {
                    throw new IllegalStateException(
                            graph.getName()
                                    + ": task "
                                    + vertex.getTaskNameWithSubtaskIndex()
                                    + " failed: "
                                    + vertex.getFailureInfo()
                                            .map(f -> f.getExceptionAsString())
                                            .orElse("?"));
                }
                allRunning &= state == ExecutionState.RUNNING;
                allDeployed &=
                        state == ExecutionState.INITIALIZING || state == ExecutionState.RUNNING;
            }
            long now = System.currentTimeMillis();
            allDeployed &= vertices > 0;
            allRunning &= vertices > 0;
            if (allDeployed && deployed < 0) {
                deployed = now;
            }
            if (allRunning) {
                return new Started(id, deployed - submitted, now - submitted);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        graph.getName() + ": not every task RUNNING within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** A canonical savepoint of {@code job} into {@code directory}, then the job is cancelled. */
    String savepointAndCancel(JobID job, String directory) throws Exception {
        String path =
                cluster.triggerSavepoint(job, directory, true, SavepointFormatType.CANONICAL).get();
        awaitTerminal(job);
        return path;
    }

    void cancel(JobID job) throws Exception {
        cluster.cancelJob(job).get();
        awaitTerminal(job);
    }

    private void awaitTerminal(JobID job) throws Exception {
        while (!cluster.getJobStatus(job).get().isGloballyTerminalState()) {
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }

    /**
     * A job whose tasks all run.
     *
     * @param id the job
     * @param submitToDeployedMs from submission until every task was INITIALIZING or RUNNING
     * @param submitToRunningMs from submission until every task was RUNNING
     */
    record Started(JobID id, long submitToDeployedMs, long submitToRunningMs) {
        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("submitToDeployedMs", submitToDeployedMs);
            map.put("submitToRunningMs", submitToRunningMs);
            map.put("initializingMs", submitToRunningMs - submitToDeployedMs);
            return map;
        }
    }
}
