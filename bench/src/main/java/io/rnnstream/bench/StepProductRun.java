package io.rnnstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.train.OpenBlasLibrary;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The matrix products a truncated-BPTT update makes at every step of the long-sequence case, alone,
 * in its own JVM: {@code cblas_sgemm} of the OpenBLAS that ND4J bundles, called with the operand
 * layouts the trainer's {@code Blas} passes (the recurrent weights in DL4J's column-major {@code
 * [hidden, 4 hidden]} view). Forward: {@code h [streams, hidden] RW} into the step's gates;
 * backward: {@code dGates [streams, 4 hidden] RW^T} into the previous step's output gradient. The
 * OpenBLAS is the one {@code RNNSTREAM_BLAS} chooses, as in training. {@code torch_tbptt.py
 * --product} times the products {@code nn.LSTM} makes for the same shapes. Prints one JSON object:
 * microseconds per product, each the best of five rounds.
 *
 * <p>Arguments: {@code [--hidden N] [--streams N] [--repeats N]}.
 */
public final class StepProductRun {

    private StepProductRun() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arguments.parse(args);
        int hidden = Integer.parseInt(options.getOrDefault("hidden", "256"));
        int streams = Integer.parseInt(options.getOrDefault("streams", "32"));
        int repeats = Integer.parseInt(options.getOrDefault("repeats", "2000"));
        OpenBlasLibrary.applyConfigured();
        Loader.load(openblas_nolapack.class);
        int gates = 4 * hidden;
        FloatPointer h = filled(streams * hidden, 1);
        FloatPointer weights = filled(hidden * gates, 2);
        FloatPointer gatesOut = filled(streams * gates, 3);
        FloatPointer gateGradient = filled(streams * gates, 4);
        FloatPointer outputGradient = filled(streams * hidden, 5);
        Runnable forward =
                () ->
                        openblas_nolapack.cblas_sgemm(
                                openblas_nolapack.CblasRowMajor,
                                openblas_nolapack.CblasNoTrans,
                                openblas_nolapack.CblasTrans,
                                streams,
                                gates,
                                hidden,
                                1f,
                                h,
                                hidden,
                                weights,
                                hidden,
                                1f,
                                gatesOut,
                                gates);
        Runnable backward =
                () ->
                        openblas_nolapack.cblas_sgemm(
                                openblas_nolapack.CblasRowMajor,
                                openblas_nolapack.CblasNoTrans,
                                openblas_nolapack.CblasNoTrans,
                                streams,
                                hidden,
                                gates,
                                1f,
                                gateGradient,
                                gates,
                                weights,
                                hidden,
                                1f,
                                outputGradient,
                                hidden);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("framework", "rnnstream");
        result.put("openblas", OpenBlasLibrary.loaded());
        result.put("hidden", hidden);
        result.put("streams", streams);
        result.put("forwardMicros", best(forward, repeats));
        result.put("backwardMicros", best(backward, repeats));
        System.out.println(new ObjectMapper().writeValueAsString(result));
    }

    /** Microseconds per call, the best of five rounds of {@code repeats} calls after a warm-up. */
    private static double best(Runnable product, int repeats) {
        for (int i = 0; i < repeats / 4; i++) {
            product.run();
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long started = System.nanoTime();
            for (int i = 0; i < repeats; i++) {
                product.run();
            }
            best = Math.min(best, (System.nanoTime() - started) / 1e3 / repeats);
        }
        return best;
    }

    /** Small values that keep repeated accumulation finite. */
    private static FloatPointer filled(int length, int seed) {
        FloatPointer pointer = new FloatPointer(length);
        for (int i = 0; i < length; i++) {
            pointer.put(i, (float) (((i * 31 + seed * 17) % 97) - 48) * 1e-4f);
        }
        return pointer;
    }
}
