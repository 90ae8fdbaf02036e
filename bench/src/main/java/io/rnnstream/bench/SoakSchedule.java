package io.rnnstream.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * When the soak's faults strike, drawn from a seeded random generator so that a run can be
 * repeated: the load's window (after a quiet first minute, before a quiet last stretch that lets
 * the last fault's recovery show in the results) is cut into one slot per fault and each fault
 * strikes at a random moment of its slot; the kinds take turns, each as often as the others (the
 * remainder drawn at random), in a shuffled order.
 */
final class SoakSchedule {

    /** The faults the soak injects. */
    enum Kind {
        /**
         * SIGKILL of the TaskManager's JVM, then a replacement JVM, as a supervisor would start.
         */
        TASK_MANAGER_KILL,
        /**
         * SIGKILL of the broker's JVM, then the broker again on the same port and log directory.
         */
        BROKER_RESTART,
        /** {@code flink stop --savepointPath}, then {@code flink run -s} from that savepoint. */
        SAVEPOINT_RESUME,
        /** A new model version announced on the models topic. */
        MODEL_SWAP
    }

    /** A fault and the second of the load it is planned for. */
    record Planned(Kind kind, double atSecond) {}

    private SoakSchedule() {}

    /**
     * {@code faults} faults within {@code seconds} of load, none in the first {@code quietStart} or
     * the last {@code quietEnd} seconds.
     */
    static List<Planned> plan(
            long seed, int faults, double seconds, double quietStart, double quietEnd) {
        if (faults < 1) {
            throw new IllegalArgumentException("faults: expected at least 1, got " + faults);
        }
        double window = seconds - quietStart - quietEnd;
        if (window <= 0) {
            throw new IllegalArgumentException(
                    "a soak of "
                            + seconds
                            + " s leaves no time for faults between its first "
                            + quietStart
                            + " s and last "
                            + quietEnd
                            + " s");
        }
        Random random = new Random(seed);
        List<Kind> kinds = new ArrayList<>();
        Kind[] all = Kind.values();
        for (int i = 0; i < faults - faults % all.length; i++) {
            kinds.add(all[i % all.length]);
        }
        List<Kind> remainder = new ArrayList<>(List.of(all));
        Collections.shuffle(remainder, random);
        kinds.addAll(remainder.subList(0, faults % all.length));
        Collections.shuffle(kinds, random);
        double slot = window / faults;
        List<Planned> plan = new ArrayList<>();
        for (int i = 0; i < faults; i++) {
            plan.add(new Planned(kinds.get(i), quietStart + slot * (i + random.nextDouble())));
        }
        return plan;
    }
}
