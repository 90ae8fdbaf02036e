package io.rnnstream.core.train;

import io.rnnstream.core.model.CellType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A plain double-precision RNN classifier, written out step by step with explicit loops and no
 * ND4J, to hold the trainer's gradients to: an independent reference that shares none of its code.
 * It reads the parameters of a network that {@code NetworkFactory} built and lays its gradients out
 * as DL4J does (an LSTM's gate blocks in DL4J's order: candidate, forget, output, input gate), so
 * the two compare entry by entry.
 *
 * <p>Truncated BPTT as specified: a window starts from a given state, which is a constant; its
 * first {@code leadIn} steps run forward only; the gradient of the window's loss (softmax
 * cross-entropy on the masked steps, summed over the batch) flows into the recurrent layers only
 * from the steps after the lead-in, and into the output layer from every step.
 */
final class ReferenceRnn {

    /** One layer's parameters, row-major as DL4J's views read: W [in][g], R [h][g], b [g]. */
    private record LayerParams(double[][] w, double[][] r, double[] b) {}

    /** A window's result: the summed loss, the gradients by DL4J key, the end state. */
    record WindowResult(
            double loss, Map<String, double[][]> gradients, double[][][] endH, double[][][] endC) {}

    private final CellType cell;
    private final int hidden;
    private final double[][] embedding;
    private final List<LayerParams> layers = new ArrayList<>();
    private final double[][] outW;
    private final double[] outB;
    private final int firstRecurrent;

    ReferenceRnn(MultiLayerNetwork network, CellType cell, int layerCount, boolean tokens) {
        this.cell = cell;
        int index = 0;
        this.embedding = tokens ? matrix(network, index++ + "_W") : null;
        this.firstRecurrent = index;
        for (int l = 0; l < layerCount; l++, index++) {
            layers.add(
                    new LayerParams(
                            matrix(network, index + "_W"),
                            matrix(network, index + "_RW"),
                            vector(network, index + "_b")));
        }
        this.hidden = layers.get(0).r().length;
        this.outW = matrix(network, index + "_W");
        this.outB = vector(network, index + "_b");
    }

    private static double[] vector(MultiLayerNetwork network, String key) {
        return network.getParam(key).dup('c').data().asDouble();
    }

    private static double[][] matrix(MultiLayerNetwork network, String key) {
        return network.getParam(key).toDoubleMatrix();
    }

    /**
     * One window.
     *
     * @param x inputs {@code [step][stream][feature]} (ignored for tokens)
     * @param tokens token ids {@code [step][stream]} (null for features)
     * @param labels label index per {@code [step][stream]}, -1 where the step has no loss
     * @param startH the carried hidden state per {@code [layer][stream][unit]}
     * @param startC the carried cell state (LSTM), same shape
     * @param leadIn steps at the start of the window that run forward only
     */
    WindowResult window(
            double[][][] x,
            int[][] tokens,
            int[][] labels,
            double[][][] startH,
            double[][][] startC,
            int leadIn) {
        int steps = labels.length;
        int batch = labels[0].length;
        if (tokens != null) {
            x = new double[steps][batch][];
            for (int t = 0; t < steps; t++) {
                for (int n = 0; n < batch; n++) {
                    x[t][n] = embedding[tokens[t][n]].clone();
                }
            }
        }
        int depth = layers.size();
        // Forward, keeping every step's values: in[l][t][n], h, c, gates (pre-activation
        // order: DL4J's blocks).
        double[][][][] in = new double[depth][][][];
        double[][][][] h = new double[depth][steps][batch][];
        double[][][][] c = new double[depth][steps][batch][];
        double[][][][] act = new double[depth][steps][batch][];
        double[][][] endH = new double[depth][batch][];
        double[][][] endC = new double[depth][batch][];
        double[][][] layerInput = x;
        for (int l = 0; l < depth; l++) {
            in[l] = layerInput;
            LayerParams p = layers.get(l);
            for (int n = 0; n < batch; n++) {
                double[] hPrev = startH[l][n];
                double[] cPrev = startC == null ? null : startC[l][n];
                for (int t = 0; t < steps; t++) {
                    double[] z = affine(layerInput[t][n], p.w(), hPrev, p.r(), p.b());
                    if (cell == CellType.LSTM) {
                        double[] a = new double[4 * hidden];
                        double[] cNew = new double[hidden];
                        double[] hNew = new double[hidden];
                        for (int j = 0; j < hidden; j++) {
                            double g = Math.tanh(z[j]);
                            double f = sigmoid(z[hidden + j]);
                            double o = sigmoid(z[2 * hidden + j]);
                            double i = sigmoid(z[3 * hidden + j]);
                            a[j] = g;
                            a[hidden + j] = f;
                            a[2 * hidden + j] = o;
                            a[3 * hidden + j] = i;
                            cNew[j] = f * cPrev[j] + i * g;
                            hNew[j] = o * Math.tanh(cNew[j]);
                        }
                        act[l][t][n] = a;
                        c[l][t][n] = cNew;
                        h[l][t][n] = hNew;
                        cPrev = cNew;
                    } else {
                        double[] hNew = new double[hidden];
                        for (int j = 0; j < hidden; j++) {
                            hNew[j] = Math.tanh(z[j]);
                        }
                        h[l][t][n] = hNew;
                    }
                    hPrev = h[l][t][n];
                }
                endH[l][n] = hPrev;
                endC[l][n] = cPrev;
            }
            layerInput = h[l];
        }

        Map<String, double[][]> grads = new LinkedHashMap<>();
        int outIndex = firstRecurrent + depth;
        double[][] dOutW = new double[hidden][outB.length];
        double[][] dOutB = new double[1][outB.length];
        double[][][] dTop = new double[steps][batch][hidden];
        double loss = 0;
        for (int t = 0; t < steps; t++) {
            for (int n = 0; n < batch; n++) {
                int label = labels[t][n];
                if (label < 0) {
                    continue;
                }
                double[] top = h[depth - 1][t][n];
                double[] p = softmax(affine(top, outW, null, null, outB));
                loss -= Math.log(p[label]);
                for (int k = 0; k < p.length; k++) {
                    double d = p[k] - (k == label ? 1 : 0);
                    dOutB[0][k] += d;
                    for (int j = 0; j < hidden; j++) {
                        dOutW[j][k] += top[j] * d;
                        if (t >= leadIn) {
                            dTop[t][n][j] += outW[j][k] * d;
                        }
                    }
                }
            }
        }
        grads.put(outIndex + "_W", dOutW);
        grads.put(outIndex + "_b", dOutB);

        double[][][] dOut = dTop;
        double[][] dEmbedding =
                embedding == null ? null : new double[embedding.length][embedding[0].length];
        for (int l = depth - 1; l >= 0; l--) {
            LayerParams p = layers.get(l);
            int inputs = p.w().length;
            int gates = p.b().length;
            double[][] dW = new double[inputs][gates];
            double[][] dR = new double[hidden][gates];
            double[][] dB = new double[1][gates];
            double[][][] dIn = new double[steps][batch][inputs];
            for (int n = 0; n < batch; n++) {
                double[] dhNext = new double[hidden];
                double[] dcNext = new double[hidden];
                for (int t = steps - 1; t >= leadIn; t--) {
                    double[] hPrev = t == 0 ? startH[l][n] : h[l][t - 1][n];
                    double[] dz = new double[gates];
                    double[] dh = new double[hidden];
                    for (int j = 0; j < hidden; j++) {
                        dh[j] = dOut[t][n][j] + dhNext[j];
                    }
                    if (cell == CellType.LSTM) {
                        double[] a = act[l][t][n];
                        double[] cPrev = t == 0 ? startC[l][n] : c[l][t - 1][n];
                        for (int j = 0; j < hidden; j++) {
                            double g = a[j];
                            double f = a[hidden + j];
                            double o = a[2 * hidden + j];
                            double i = a[3 * hidden + j];
                            double tc = Math.tanh(c[l][t][n][j]);
                            double dc = dh[j] * o * (1 - tc * tc) + dcNext[j];
                            dz[j] = dc * i * (1 - g * g);
                            dz[hidden + j] = dc * cPrev[j] * f * (1 - f);
                            dz[2 * hidden + j] = dh[j] * tc * o * (1 - o);
                            dz[3 * hidden + j] = dc * g * i * (1 - i);
                            dcNext[j] = dc * f;
                        }
                    } else {
                        for (int j = 0; j < hidden; j++) {
                            double hv = h[l][t][n][j];
                            dz[j] = dh[j] * (1 - hv * hv);
                        }
                    }
                    double[] xt = in[l][t][n];
                    for (int k = 0; k < gates; k++) {
                        dB[0][k] += dz[k];
                        for (int i = 0; i < inputs; i++) {
                            dW[i][k] += xt[i] * dz[k];
                            dIn[t][n][i] += p.w()[i][k] * dz[k];
                        }
                        for (int j = 0; j < hidden; j++) {
                            dR[j][k] += hPrev[j] * dz[k];
                        }
                    }
                    dhNext = new double[hidden];
                    for (int j = 0; j < hidden; j++) {
                        for (int k = 0; k < gates; k++) {
                            dhNext[j] += p.r()[j][k] * dz[k];
                        }
                    }
                    // At t == leadIn the state's gradient stops: the carried state is a constant.
                }
            }
            int key = firstRecurrent + l;
            grads.put(key + "_W", dW);
            grads.put(key + "_RW", dR);
            grads.put(key + "_b", dB);
            dOut = dIn;
        }
        if (dEmbedding != null) {
            for (int t = leadIn; t < steps; t++) {
                for (int n = 0; n < batch; n++) {
                    for (int j = 0; j < dEmbedding[0].length; j++) {
                        dEmbedding[tokens[t][n]][j] += dOut[t][n][j];
                    }
                }
            }
            grads.put("0_W", dEmbedding);
        }
        return new WindowResult(loss, grads, endH, cell == CellType.LSTM ? endC : null);
    }

    private static double[] affine(double[] x, double[][] w, double[] h, double[][] r, double[] b) {
        double[] z = b.clone();
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < z.length; k++) {
                z[k] += x[i] * w[i][k];
            }
        }
        if (h != null) {
            for (int j = 0; j < h.length; j++) {
                for (int k = 0; k < z.length; k++) {
                    z[k] += h[j] * r[j][k];
                }
            }
        }
        return z;
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            p[k] = Math.exp(z[k] - max);
            sum += p[k];
        }
        for (int k = 0; k < z.length; k++) {
            p[k] /= sum;
        }
        return p;
    }
}
