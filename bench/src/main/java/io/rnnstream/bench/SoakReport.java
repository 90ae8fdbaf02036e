package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;

/** A soak run's JSON result as a Markdown report: verdict, counts, faults, Flink, machine. */
final class SoakReport {

    private SoakReport() {}

    static String render(JsonNode result) {
        JsonNode settings = result.get("settings");
        JsonNode verdict = result.get("verdict");
        JsonNode load = result.get("load");
        JsonNode flink = result.get("flink");
        JsonNode machine = result.get("machine");
        JsonNode loadAverage = result.get("loadAverage1m");
        JsonNode during = result.get("loadAverage1mDuringRun");
        StringBuilder md = new StringBuilder();
        md.append("# Soak, ").append(settings.get("minutes").asText()).append(" minutes: ");
        md.append(result.get("passed").asBoolean() ? "PASSED" : "**FAILED**").append("\n\n");
        md.append(
                        "The shipped stream job jar on a standalone Flink cluster (JobManager and TaskManager"
                                + " in separate JVMs, 2 slots) reading a Kafka broker in its own JVM, under a"
                                + " steady load, with faults at moments drawn from the seed; at the end every"
                                + " committed result (read_committed) is compared with the offline replay by"
                                + " the model version the result names. Command: `")
                .append(command(settings))
                .append("`.\n\n");
        md.append(ResultFiles.runLine(result));
        double highest =
                Math.max(
                        during.get("max").asDouble(),
                        Math.max(
                                loadAverage.get("before").asDouble(),
                                loadAverage.get("after").asDouble()));
        md.append(" During the run: mean ")
                .append(during.get("mean").asText())
                .append(", highest ")
                .append(during.get("max").asText())
                .append(" (")
                .append(during.get("samples").asText())
                .append(" samples, every 30 s)")
                .append(
                        highest > machine.get("cores").asInt()
                                ? String.format(
                                        java.util.Locale.ROOT,
                                        "; %.2f is above the %d cores: other processes shared the"
                                                + " CPUs",
                                        highest,
                                        machine.get("cores").asInt())
                                : "")
                .append(".\n\n");

        md.append("## Verdict\n\n| count | value |\n|---|---|\n");
        for (String field :
                new String[] {
                    "expected", "received", "lost", "duplicated", "mismatched", "unexpected"
                }) {
            md.append("| ").append(field).append(" | ").append(verdict.get(field).asText());
            md.append(" |\n");
        }
        md.append("\nResults by model version: ").append(verdict.get("resultsByVersion"));
        md.append(".\n");
        if (verdict.get("examples").size() > 0) {
            md.append("\nFirst problems:\n\n");
            verdict.get("examples").forEach(e -> md.append("* ").append(e.asText()).append('\n'));
        }

        md.append("\n## Load\n\n| | |\n|---|---|\n");
        row(md, "seed", settings.get("seed").asText());
        row(md, "keys", settings.get("keys").asText());
        if (settings.get("jobSettings").size() > 0) {
            row(md, "job settings replaced", settings.get("jobSettings").toString());
        }
        row(md, "event rate asked, events/s", settings.get("eventsPerSecond").asText());
        row(md, "event rate achieved, events/s", load.get("eventsPerSecondAchieved").asText());
        row(md, "steady load, s", load.get("loadSeconds").asText());
        row(md, "events of the steady load", load.get("steadyEvents").asText());
        row(
                md,
                "events in all (with the rest of the sequences in progress at its end)",
                load.get("events").asText());
        row(
                md,
                "sequences (JapaneseVowels test set, 7 to 29 steps)",
                load.get("sequences").asText());
        row(md, "sends the broker refused", load.get("sendFailures").asText());
        row(
                md,
                "drain, s (load stopped to last expected result)",
                load.get("drainSeconds").asText());

        md.append("\n## Faults\n\n");
        md.append(
                "Recovery: from the fault's start to every task running and a checkpoint triggered"
                        + " after the fault's start completed; for a model swap, from the"
                        + " announcement to the first committed result on the new version (a"
                        + " sequence finishes on the version it started on, so this includes a new"
                        + " sequence's whole length). Job restarts and failed checkpoints: from the"
                        + " fault's start to its recovery. In progress: sequences begun before the"
                        + " fault and ended after it.\n\n");
        md.append(
                "| # | fault | planned, s | started, s | recovered | recovery, s | job restarts |"
                        + " failed checkpoints | in progress | lost | duplicated | mismatched |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        int n = 1;
        for (JsonNode fault : result.get("faultSchedule")) {
            md.append("| ").append(n++);
            md.append(" | ").append(describe(fault));
            for (String field :
                    new String[] {
                        "plannedAtSecond",
                        "startedAtSecond",
                        "recovered",
                        "recoverySeconds",
                        "restarts",
                        "failedCheckpoints",
                        "sequencesInProgress",
                        "lost",
                        "duplicated",
                        "mismatched"
                    }) {
                md.append(" | ").append(fault.get(field).asText());
            }
            md.append(" |\n");
        }

        md.append("\n## Flink (JobManager REST API)\n\n| | |\n|---|---|\n");
        row(md, "jobs (the first and one per resume from a savepoint)", flink.get("jobs").asText());
        row(md, "restarts (exception history, all jobs)", flink.get("restarts").asText());
        row(md, "failed checkpoints (all jobs)", flink.get("failedCheckpoints").asText());
        row(
                md,
                "completed checkpoints of the last job",
                flink.get("completedCheckpointsOfLastJob").asText());
        row(md, "last job's state at the end", flink.get("lastJobState").asText());
        return md.toString();
    }

    /** The command that repeats the run. */
    static String command(JsonNode settings) {
        StringBuilder command = new StringBuilder("bench/run --soak ");
        command.append(settings.get("minutes").asText());
        command.append(" --seed ").append(settings.get("seed").asText());
        command.append(" --rate ").append(settings.get("eventsPerSecond").asText());
        command.append(" --keys ").append(settings.get("keys").asText());
        command.append(" --faults ").append(settings.get("faults").asText());
        StringBuilder jobSettings = new StringBuilder();
        settings.get("jobSettings")
                .fields()
                .forEachRemaining(
                        e ->
                                jobSettings
                                        .append(jobSettings.length() == 0 ? "" : ",")
                                        .append(e.getKey())
                                        .append('=')
                                        .append(e.getValue().asText()));
        if (jobSettings.length() > 0) {
            command.append(" --job-settings ").append(jobSettings);
        }
        return command.toString();
    }

    private static String describe(JsonNode fault) {
        return switch (fault.get("kind").asText()) {
            case "TASK_MANAGER_KILL" ->
                    "TaskManager SIGKILL (pid " + fault.get("killedPid").asText() + "), replaced";
            case "BROKER_RESTART" ->
                    "broker SIGKILL, restarted after "
                            + fault.get("outageSeconds").asText()
                            + " s ("
                            + fault.get("eventsSentWhileDown").asText()
                            + " events sent while it was down)";
            case "SAVEPOINT_RESUME" -> "stop with savepoint, resume";
            case "MODEL_SWAP" -> "model swap to version " + fault.get("version").asText();
            default -> fault.get("kind").asText();
        };
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }
}
