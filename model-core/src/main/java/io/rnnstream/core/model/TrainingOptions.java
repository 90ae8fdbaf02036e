package io.rnnstream.core.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Everything that determines a training run besides the data; recorded in every model artifact so a
 * run can be repeated.
 *
 * @param cell recurrent cell
 * @param layers stacked recurrent layers
 * @param hiddenSize units per layer
 * @param embeddingSize embedding width for token input (ignored for features)
 * @param supervision where the loss is applied
 * @param tbpttLength truncated-BPTT forward length in steps; 0 means full BPTT. When it covers a
 *     batch's longest sequence, that batch uses full BPTT.
 * @param tbpttBackLength truncated-BPTT backward length; 0 means equal to {@code tbpttLength}
 * @param batchSize sequences per optimizer step
 * @param learningRate Adam learning rate
 * @param maxEpochs upper bound on passes over the training part
 * @param patience epochs without a better validation score before stopping early; stopping also
 *     needs {@code patienceUpdates}
 * @param patienceUpdates optimizer updates without a better validation score before stopping early:
 *     counting updates as well as epochs lets a small data set (a few updates per epoch) train
 *     through a long plateau while a large one (thousands per epoch) stops soon after it starts to
 *     overfit
 * @param validationFraction share of the training data carved out (stratified) for early stopping
 * @param gradientClip element-wise gradient clipping threshold; 0 disables clipping
 * @param l2 L2 weight decay
 * @param seed seed for weight initialization, the validation split and shuffling
 * @param minTokenCount minimum count for a token to enter the vocabulary
 * @param maxVocabulary vocabulary size cap, the unknown token included
 * @param gradientNormClip the largest L2 norm, over all parameters at once, of the gradient of the
 *     mean loss per supervised step (PyTorch's {@code clip_grad_norm_} on a mean-reduced loss); a
 *     larger gradient is scaled down to it; 0 disables it. Left out of manifests when 0, so that
 *     artifacts without it stay readable by releases that predate it.
 * @param forgetGateBias the value an LSTM's forget-gate biases start from (DL4J's default is 1;
 *     ignored by Elman layers). Left out of manifests when 1, what artifacts without it were
 *     trained with.
 * @param initialization how the recurrent and output weights are drawn. Left out of manifests when
 *     {@link Initialization#XAVIER}, what artifacts without it were trained with.
 * @param recurrentBiasLearningRateMultiplier the recurrent layers' biases train at this multiple of
 *     the learning rate. 2 trains them as PyTorch's recurrent layers do: those hold two bias
 *     vectors that receive the same gradient and the same Adam update, so their sum moves twice as
 *     far as one vector would. Left out of manifests when 1, what artifacts without it were trained
 *     with.
 */
public record TrainingOptions(
        CellType cell,
        int layers,
        int hiddenSize,
        int embeddingSize,
        Supervision supervision,
        int tbpttLength,
        int tbpttBackLength,
        int batchSize,
        double learningRate,
        int maxEpochs,
        int patience,
        int patienceUpdates,
        double validationFraction,
        double gradientClip,
        double l2,
        long seed,
        int minTokenCount,
        int maxVocabulary,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) Double gradientNormClip,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = DefaultForgetGateBias.class)
                Double forgetGateBias,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = DefaultInitialization.class)
                Initialization initialization,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = DefaultMultiplier.class)
                Double recurrentBiasLearningRateMultiplier) {

    /** DL4J's starting value for an LSTM's forget-gate biases. */
    public static final double DEFAULT_FORGET_GATE_BIAS = 1.0;

    /** Tells Jackson to leave the default forget-gate bias out of a manifest. */
    private static final class DefaultForgetGateBias {
        @Override
        public boolean equals(Object value) {
            return value == null || value.equals(DEFAULT_FORGET_GATE_BIAS);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Tells Jackson to leave a learning-rate multiplier of 1 out of a manifest. */
    private static final class DefaultMultiplier {
        @Override
        public boolean equals(Object value) {
            return value == null || value.equals(1.0);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Tells Jackson to leave the default initialization out of a manifest. */
    private static final class DefaultInitialization {
        @Override
        public boolean equals(Object value) {
            return value == null || value == Initialization.XAVIER;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    public TrainingOptions {
        // A manifest written before the option existed was trained with Xavier's draw.
        if (initialization == null) {
            initialization = Initialization.XAVIER;
        }
        // A manifest written before the option existed was trained with DL4J's default.
        if (forgetGateBias == null) {
            forgetGateBias = DEFAULT_FORGET_GATE_BIAS;
        }
        // Boxed so that a manifest written before the option existed reads as 0 (off).
        if (gradientNormClip == null) {
            gradientNormClip = 0.0;
        }
        // A manifest written before the option existed trained every bias at the learning rate.
        if (recurrentBiasLearningRateMultiplier == null) {
            recurrentBiasLearningRateMultiplier = 1.0;
        }
        check(layers >= 1 && layers <= ModelSpec.MAX_LAYERS, "layers", layers, "in [1, 16]");
        check(
                hiddenSize >= 1 && hiddenSize <= ModelSpec.MAX_HIDDEN,
                "hiddenSize",
                hiddenSize,
                "in [1, 8192]");
        check(embeddingSize >= 1, "embeddingSize", embeddingSize, ">= 1");
        check(tbpttLength >= 0, "tbpttLength", tbpttLength, ">= 0 (0 is full BPTT)");
        check(
                tbpttBackLength >= 0 && (tbpttBackLength <= tbpttLength || tbpttLength == 0),
                "tbpttBackLength",
                tbpttBackLength,
                ">= 0 and <= tbpttLength");
        check(batchSize >= 1, "batchSize", batchSize, ">= 1");
        check(learningRate > 0 && learningRate < 10, "learningRate", learningRate, "in (0, 10)");
        check(maxEpochs >= 1, "maxEpochs", maxEpochs, ">= 1");
        check(patience >= 1, "patience", patience, ">= 1");
        check(patienceUpdates >= 0, "patienceUpdates", patienceUpdates, ">= 0");
        check(
                validationFraction > 0 && validationFraction < 1,
                "validationFraction",
                validationFraction,
                "in (0, 1)");
        check(gradientClip >= 0, "gradientClip", gradientClip, ">= 0");
        check(l2 >= 0, "l2", l2, ">= 0");
        check(minTokenCount >= 1, "minTokenCount", minTokenCount, ">= 1");
        check(maxVocabulary >= 2, "maxVocabulary", maxVocabulary, ">= 2");
        check(gradientNormClip >= 0, "gradientNormClip", gradientNormClip, ">= 0");
        check(Double.isFinite(forgetGateBias), "forgetGateBias", forgetGateBias, "a finite number");
        check(
                recurrentBiasLearningRateMultiplier > 0
                        && recurrentBiasLearningRateMultiplier <= 100,
                "recurrentBiasLearningRateMultiplier",
                recurrentBiasLearningRateMultiplier,
                "in (0, 100]");
        check(
                gradientNormClip == 0 || gradientClip == 0,
                "gradientClip",
                gradientClip,
                "0 when gradientNormClip is set (one clipping rule at a time)");
    }

    /**
     * The defaults, chosen from the measurements in the model-core README: LSTM 64, last-step
     * supervision, full BPTT, batch 8, Adam 0.001, early stopping after 3 epochs and 1,500 updates
     * without improvement, at most 300 epochs.
     */
    public static TrainingOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.cell = cell;
        b.layers = layers;
        b.hiddenSize = hiddenSize;
        b.embeddingSize = embeddingSize;
        b.supervision = supervision;
        b.tbpttLength = tbpttLength;
        b.tbpttBackLength = tbpttBackLength;
        b.batchSize = batchSize;
        b.learningRate = learningRate;
        b.maxEpochs = maxEpochs;
        b.patience = patience;
        b.patienceUpdates = patienceUpdates;
        b.validationFraction = validationFraction;
        b.gradientClip = gradientClip;
        b.l2 = l2;
        b.seed = seed;
        b.minTokenCount = minTokenCount;
        b.maxVocabulary = maxVocabulary;
        b.gradientNormClip = gradientNormClip;
        b.forgetGateBias = forgetGateBias;
        b.initialization = initialization;
        b.recurrentBiasLearningRateMultiplier = recurrentBiasLearningRateMultiplier;
        return b;
    }

    public int effectiveTbpttBackLength() {
        return tbpttBackLength == 0 ? tbpttLength : tbpttBackLength;
    }

    /** Builds {@link TrainingOptions}; unset fields keep the defaults. */
    public static final class Builder {
        private CellType cell = CellType.LSTM;
        private int layers = 1;
        private int hiddenSize = 64;
        private int embeddingSize = 64;
        private Supervision supervision = Supervision.LAST_STEP;
        private int tbpttLength = 0;
        private int tbpttBackLength = 0;
        private int batchSize = 8;
        private double learningRate = 0.001;
        private int maxEpochs = 300;
        private int patience = 3;
        private int patienceUpdates = 1500;
        private double validationFraction = 0.15;
        private double gradientClip = 1.0;
        private double l2 = 1e-5;
        private long seed = 42;
        private int minTokenCount = 2;
        private int maxVocabulary = 20_000;
        private double gradientNormClip = 0;
        private double forgetGateBias = DEFAULT_FORGET_GATE_BIAS;
        private Initialization initialization = Initialization.XAVIER;
        private double recurrentBiasLearningRateMultiplier = 1;

        private Builder() {}

        public Builder cell(CellType value) {
            cell = value;
            return this;
        }

        public Builder layers(int value) {
            layers = value;
            return this;
        }

        public Builder hiddenSize(int value) {
            hiddenSize = value;
            return this;
        }

        public Builder embeddingSize(int value) {
            embeddingSize = value;
            return this;
        }

        public Builder supervision(Supervision value) {
            supervision = value;
            return this;
        }

        public Builder tbpttLength(int value) {
            tbpttLength = value;
            return this;
        }

        public Builder tbpttBackLength(int value) {
            tbpttBackLength = value;
            return this;
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        public Builder learningRate(double value) {
            learningRate = value;
            return this;
        }

        public Builder maxEpochs(int value) {
            maxEpochs = value;
            return this;
        }

        public Builder patience(int value) {
            patience = value;
            return this;
        }

        public Builder patienceUpdates(int value) {
            patienceUpdates = value;
            return this;
        }

        public Builder validationFraction(double value) {
            validationFraction = value;
            return this;
        }

        public Builder gradientClip(double value) {
            gradientClip = value;
            return this;
        }

        public Builder l2(double value) {
            l2 = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder minTokenCount(int value) {
            minTokenCount = value;
            return this;
        }

        public Builder maxVocabulary(int value) {
            maxVocabulary = value;
            return this;
        }

        public Builder gradientNormClip(double value) {
            gradientNormClip = value;
            return this;
        }

        public Builder forgetGateBias(double value) {
            forgetGateBias = value;
            return this;
        }

        public Builder initialization(Initialization value) {
            initialization = value;
            return this;
        }

        public Builder recurrentBiasLearningRateMultiplier(double value) {
            recurrentBiasLearningRateMultiplier = value;
            return this;
        }

        public TrainingOptions build() {
            return new TrainingOptions(
                    cell,
                    layers,
                    hiddenSize,
                    embeddingSize,
                    supervision,
                    tbpttLength,
                    tbpttBackLength,
                    batchSize,
                    learningRate,
                    maxEpochs,
                    patience,
                    patienceUpdates,
                    validationFraction,
                    gradientClip,
                    l2,
                    seed,
                    minTokenCount,
                    maxVocabulary,
                    gradientNormClip,
                    forgetGateBias,
                    initialization,
                    recurrentBiasLearningRateMultiplier);
        }
    }

    private static void check(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "training option " + field + " must be " + expected + ", was " + value);
        }
    }
}
