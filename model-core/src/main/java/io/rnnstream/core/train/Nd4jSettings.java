package io.rnnstream.core.train;

/**
 * Process-wide native settings that make DL4J training cheaper without changing its arithmetic,
 * applied by the classes through which training first reaches ND4J ({@link NetworkFactory}, {@link
 * NetworkStore}, {@link SequenceTrainer}).
 *
 * <p>JavaCPP, under ND4J, registers a deallocator for every small native buffer an op allocates
 * (shape descriptors, op arguments) and, with its default {@code maxPhysicalBytes}, reads the
 * process's resident size from {@code /proc} at each one to decide whether to force a garbage
 * collection. DL4J's LSTM runs about 1,100 native ops per update at our shapes, so these reads were
 * 15% of the profile of a training run, and turning them off took 22% of the CPU time of an update
 * at batch 8 and 12% at batch 32 (see the bench README). JavaCPP's other limit, {@code maxBytes} on
 * the bytes it tracks, stays in force.
 *
 * <p>It also applies the {@link OpenBlasLibrary} the process was started with.
 *
 * <p>JavaCPP reads these properties once, when its {@code Pointer} class and the OpenBLAS bindings
 * initialize, so they only take effect if nothing touched ND4J earlier in the process; a value set
 * on the command line ({@code -Dorg.bytedeco.javacpp.maxPhysicalBytes=...}) always wins.
 */
final class Nd4jSettings {

    /** JavaCPP's system property; 0 turns the resident-size check off. */
    static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

    private Nd4jSettings() {}

    /** Sets the training defaults unless the JVM was started with its own value. */
    static void applyTrainingDefaults() {
        if (System.getProperty(MAX_PHYSICAL_BYTES) == null) {
            System.setProperty(MAX_PHYSICAL_BYTES, "0");
        }
        OpenBlasLibrary.applyConfigured();
    }
}
