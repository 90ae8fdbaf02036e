package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Runs of an array's elements read and written in its flat c order, and the arrays refused. */
class HostRunsTest {

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void aRunReadsAndWritesTheElementsAtItsPlaceInCOrder(DataType type) {
        INDArray array = Nd4j.arange(24).castTo(type).reshape('c', 2, 3, 4);
        HostRuns runs = HostRuns.of(array);
        double[] run = new double[5];

        runs.read(13, run, 5);
        runs.write(new double[] {-1.5, -2.5}, 2, 22);

        assertThat(run).containsExactly(13, 14, 15, 16, 17);
        assertThat(array.getDouble(1, 2, 2)).isEqualTo(-1.5);
        assertThat(array.getDouble(1, 2, 3)).isEqualTo(-2.5);
        assertThat(array.getDouble(1, 2, 1)).isEqualTo(21);
    }

    @Test
    void aFloatArrayIsRoundedOnTheWayOut() {
        INDArray array = Nd4j.zeros(DataType.FLOAT, 2);

        HostRuns.of(array).write(new double[] {0.1, 1.0 / 3}, 2, 0);

        assertThat(array.getFloat(0)).isEqualTo(0.1f);
        assertThat(array.getFloat(1)).isEqualTo(1f / 3);
    }

    @Test
    void aViewThatIsNotTheWholeBufferIsRefused() {
        INDArray array = Nd4j.zeros(DataType.FLOAT, 4, 4);
        INDArray columns = array.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3));

        assertThatThrownBy(() -> HostRuns.of(columns))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole, contiguous c-order array");
        assertThatThrownBy(() -> HostRuns.of(array.dup('f')))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("order f");
    }

    @Test
    void aRunBeyondTheArrayIsRefused() {
        HostRuns runs = HostRuns.of(Nd4j.zeros(DataType.DOUBLE, 6));

        assertThatThrownBy(() -> runs.read(4, new double[3], 3))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("run [4, 7) of an array of 6");
    }

    @Test
    void aFloatArrayHoldsTheValuesInCOrderUnderItsShape() {
        float[] values = new float[24];
        for (int i = 0; i < values.length; i++) {
            values[i] = i - 3.25f;
        }

        INDArray array = HostRuns.floatArray(values, 2, 3, 4);

        assertThat(array.shape()).containsExactly(2, 3, 4);
        assertThat(array.ordering()).isEqualTo('c');
        assertThat(array.getFloat(1, 2, 3)).isEqualTo(23 - 3.25f);
        assertThat(array.getFloat(0, 1, 2)).isEqualTo(6 - 3.25f);
        assertThat(array.equals(Nd4j.create(values, new long[] {2, 3, 4}, 'c'))).isTrue();
    }

    @Test
    void aFloatArrayWhoseShapeDoesNotHoldTheValuesIsRefused() {
        assertThatThrownBy(() -> HostRuns.floatArray(new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape [2, 3] holds 6 values, got 5");
    }

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void theFloatsOfAViewAreItsOwnValuesInCOrder(DataType type) {
        INDArray array = Nd4j.arange(24).castTo(type).reshape('c', 4, 6);
        INDArray columns = array.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 4));

        assertThat(HostRuns.floats(columns)).containsExactly(2, 3, 8, 9, 14, 15, 20, 21);
        assertThat(HostRuns.floats(array.reshape('c', 2, 12))[13]).isEqualTo(13f);
    }
}
