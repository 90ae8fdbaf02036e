package io.rnnstream.core.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorFileTest {

    @Test
    void roundTripsNamedTensorsInOrder() throws ArtifactException {
        Map<String, TensorFile.Tensor> tensors = new LinkedHashMap<>();
        tensors.put(
                "layer0.input",
                new TensorFile.Tensor(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6}));
        tensors.put(
                "output.bias",
                new TensorFile.Tensor(new int[] {2}, new float[] {0.5f, Float.MIN_VALUE}));

        Map<String, TensorFile.Tensor> read = TensorFile.read(TensorFile.write(tensors), "t.bin");

        assertThat(read.keySet()).containsExactly("layer0.input", "output.bias");
        assertThat(read.get("layer0.input").dims()).containsExactly(2, 3);
        assertThat(read.get("layer0.input").values()).containsExactly(1, 2, 3, 4, 5, -6);
        assertThat(read.get("output.bias").values()).containsExactly(0.5f, Float.MIN_VALUE);
    }

    @Test
    void refusesDimensionsWhoseByteCountOverflows() {
        // (2^31 - 1)^2 floats: 4 bytes each overflows a long, and (int) of the count is 1
        ByteBuffer file = ByteBuffer.allocate(8 + 4 + 2 + 1 + 4 + 8 + 4);
        file.put(TensorFile.MAGIC).putInt(1);
        file.putShort((short) 1).put((byte) 'w');
        file.putInt(2).putInt(Integer.MAX_VALUE).putInt(Integer.MAX_VALUE);
        file.putFloat(1f);

        assertThatThrownBy(() -> TensorFile.read(file.array(), "huge.bin"))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining("huge.bin tensor w needs")
                .hasMessageContaining("(truncated file?)");
    }
}
