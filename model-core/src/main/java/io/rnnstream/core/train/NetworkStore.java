package io.rnnstream.core.train;

import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.artifact.TensorFile;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saves and restores a DL4J network for warm-start retraining without DL4J's {@code
 * ModelSerializer}, which runs Java deserialization on some zip entries: the configuration is
 * DL4J's JSON, the flattened parameters and updater state are a {@link TensorFile}.
 */
public final class NetworkStore {

    static {
        // Before ND4J loads: JavaCPP reads its settings once (see Nd4jSettings).
        Nd4jSettings.applyTrainingDefaults();
    }

    private NetworkStore() {}

    /** The two artifact files that hold {@code network}. */
    public static Map<String, byte[]> toFiles(MultiLayerNetwork network) {
        Map<String, TensorFile.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("params", vector(network.params()));
        INDArray updater =
                network.getUpdater() == null ? null : network.getUpdater().getStateViewArray();
        if (updater != null && updater.length() > 0) {
            tensors.put("updater", vector(updater));
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(
                ModelArtifact.NETWORK_CONFIGURATION,
                network.getLayerWiseConfigurations().toJson().getBytes(StandardCharsets.UTF_8));
        files.put(ModelArtifact.NETWORK_PARAMETERS, TensorFile.write(tensors));
        return files;
    }

    /** Rebuilds the network from bytes already verified against the artifact's manifest. */
    public static MultiLayerNetwork fromFiles(byte[] configuration, byte[] parameters, String where)
            throws ArtifactException {
        MultiLayerConfiguration conf;
        try {
            conf =
                    MultiLayerConfiguration.fromJson(
                            new String(configuration, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new ArtifactException(
                    where + ": network.json is not a DL4J configuration: " + e.getMessage(), e);
        }
        Map<String, TensorFile.Tensor> tensors =
                TensorFile.read(parameters, where + "/network.bin");
        TensorFile.Tensor params = tensors.get("params");
        if (params == null) {
            throw new ArtifactException(where + ": network.bin has no params tensor");
        }
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        long expected = numParams(conf);
        if (expected != params.values().length) {
            throw new ArtifactException(
                    where
                            + ": network.bin holds "
                            + params.values().length
                            + " parameters, the configuration needs "
                            + expected);
        }
        network.init(
                Nd4j.create(params.values(), new long[] {1, params.values().length}, 'c'), false);
        TensorFile.Tensor updater = tensors.get("updater");
        if (updater != null && network.getUpdater() != null) {
            network.getUpdater()
                    .setStateViewArray(
                            network,
                            Nd4j.create(
                                    updater.values(), new long[] {1, updater.values().length}, 'c'),
                            false);
        }
        return network;
    }

    private static long numParams(MultiLayerConfiguration conf) {
        long total = 0;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            total += conf.getConf(i).getLayer().initializer().numParams(conf.getConf(i));
        }
        return total;
    }

    private static TensorFile.Tensor vector(INDArray array) {
        float[] values = array.dup('c').data().asFloat();
        return new TensorFile.Tensor(new int[] {1, values.length}, values);
    }
}
