package io.rnnstream.core.serving;

import java.lang.invoke.MethodHandles;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which kernels step the recurrent layers: {@link #VECTOR}, register-tiled SIMD code on the Java
 * Vector API ({@code jdk.incubator.vector}, incubating in JDK 17), or {@link #SCALAR}, plain Java
 * that runs on every JVM. Both compute the same function (held to DL4J within 1e-5 by the parity
 * tests); the vector path is several times faster.
 *
 * <p>{@link #active()} is chosen once per JVM: vector when the JVM was started with {@code
 * --add-modules jdk.incubator.vector}, the preferred vector species has at least {@value
 * #MIN_LANES} float lanes (256-bit SIMD) and the system property {@value #PROPERTY} is not {@code
 * false}; scalar otherwise. The classes that name incubator types are loaded only after that check,
 * so a JVM without the module never sees a {@link NoClassDefFoundError}.
 */
public enum ServingPath {
    SCALAR,
    VECTOR;

    /** System property that forces the scalar path when {@code false}. */
    public static final String PROPERTY = "rnnstream.serving.simd";

    /** Narrower SIMD (e.g. 128-bit) gains too little over C2's auto-vectorized scalar path. */
    public static final int MIN_LANES = 8;

    private static final String MODULE = "jdk.incubator.vector";
    private static final Logger LOG = LoggerFactory.getLogger(ServingPath.class);

    /** The path new classifiers use in this JVM. */
    public static ServingPath active() {
        return Selection.ACTIVE;
    }

    /** Whether {@link #VECTOR} can run in this JVM (even if the property turned it off). */
    public static boolean vectorAvailable() {
        return Selection.VECTOR_PLANS != null;
    }

    /**
     * One line for a log: the active path and why, e.g. {@code vector (jdk.incubator.vector, 16
     * float lanes)} or {@code scalar (module jdk.incubator.vector not in the boot layer: start the
     * JVM with --add-modules jdk.incubator.vector)}.
     */
    public static String describe() {
        return Selection.DESCRIPTION;
    }

    /** The layer's weights laid out for this path's kernels. */
    LayerPlan plan(RecurrentLayerWeights layer) {
        if (this == SCALAR) {
            return new LayerRows(layer);
        }
        if (Selection.VECTOR_PLANS == null) {
            throw new IllegalStateException("the vector path cannot run here: " + describe());
        }
        return Selection.VECTOR_PLANS.apply(layer);
    }

    /** The kernel of a softmax's exponentials on this path. */
    SoftmaxKernel softmax() {
        if (this == SCALAR) {
            return SoftmaxKernel.SCALAR;
        }
        if (Selection.VECTOR_SOFTMAX == null) {
            throw new IllegalStateException("the vector path cannot run here: " + describe());
        }
        return Selection.VECTOR_SOFTMAX;
    }

    /** Decided on first use, in a holder so the enum constants exist before it runs. */
    private static final class Selection {

        static final Function<RecurrentLayerWeights, LayerPlan> VECTOR_PLANS;
        static final SoftmaxKernel VECTOR_SOFTMAX;
        static final ServingPath ACTIVE;
        static final String DESCRIPTION;

        static {
            String why;
            Function<RecurrentLayerWeights, LayerPlan> plans = null;
            if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
                why =
                        "module "
                                + MODULE
                                + " not in the boot layer: start the JVM with --add-modules "
                                + MODULE;
            } else {
                int lanes = VectorSupport.lanes();
                if (lanes < MIN_LANES) {
                    why =
                            "preferred vector species has "
                                    + lanes
                                    + " float lanes, below "
                                    + MIN_LANES;
                } else {
                    plans = VectorSupport.plans();
                    why = MODULE + ", " + lanes + " float lanes";
                }
            }
            boolean forcedOff = "false".equalsIgnoreCase(System.getProperty(PROPERTY));
            VECTOR_PLANS = plans;
            VECTOR_SOFTMAX = plans == null ? null : VectorSupport.softmax();
            if (plans != null && !forcedOff) {
                ACTIVE = VECTOR;
                DESCRIPTION = "vector (" + why + ")";
            } else {
                ACTIVE = SCALAR;
                DESCRIPTION =
                        "scalar ("
                                + (plans != null ? "-D" + PROPERTY + "=false; vector: " + why : why)
                                + ")";
            }
            LOG.info("Serving path: {}", DESCRIPTION);
        }
    }

    /**
     * Reaches the incubator-typed classes by name only, so that nothing here links against them
     * before the module check passed.
     */
    private static final class VectorSupport {

        private static final String PLAN_CLASS = "io.rnnstream.core.serving.VectorLayerPlan";
        private static final String SOFTMAX_CLASS = "io.rnnstream.core.serving.VectorSoftmax";

        static int lanes() {
            try {
                return (int)
                        MethodHandles.lookup()
                                .findStaticGetter(planClass(), "LANES", int.class)
                                .invoke();
            } catch (Throwable e) {
                LOG.warn("Vector API present but not usable, serving on the scalar path", e);
                return 0;
            }
        }

        static SoftmaxKernel softmax() {
            try {
                return (SoftmaxKernel)
                        Class.forName(SOFTMAX_CLASS).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build the vector softmax", e);
            }
        }

        static Function<RecurrentLayerWeights, LayerPlan> plans() {
            return layer -> {
                try {
                    return (LayerPlan)
                            planClass()
                                    .getDeclaredConstructor(RecurrentLayerWeights.class)
                                    .newInstance(layer);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot build the vector layer plan", e);
                }
            };
        }

        private static Class<?> planClass() throws ClassNotFoundException {
            return Class.forName(PLAN_CLASS, true, ServingPath.class.getClassLoader());
        }
    }
}
