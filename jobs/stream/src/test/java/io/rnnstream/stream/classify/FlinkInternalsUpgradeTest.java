package io.rnnstream.stream.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.evaluate.EvaluateVersionsOperator;
import io.rnnstream.stream.flink.KeyedBroadcastOperator;
import io.rnnstream.stream.predict.LanguageModelOperator;
import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * What to check when Flink's version changes. {@link KeyedBroadcastOperator} is the class that uses
 * Flink's {@code @Internal} types, which may change in any release without notice, for {@link
 * SequenceClassifierOperator}, {@link EvaluateVersionsOperator} and {@link LanguageModelOperator};
 * this test fails on any other Flink version until someone has gone through {@link #CHECKLIST} and
 * moved {@link #CHECKED_AGAINST}.
 */
class FlinkInternalsUpgradeTest {

    /** The Flink version the operator adapters were last checked against. */
    private static final String CHECKED_AGAINST = "2.2.0";

    private static final String CHECKLIST =
            """
            Flink is %s; KeyedBroadcastOperator (the operator adapter under SequenceClassifierOperator, \
            EvaluateVersionsOperator and LanguageModelOperator) was checked against %s. Before moving \
            CHECKED_AGAINST, check in Flink's sources:
            1. CoBroadcastWithKeyedOperator (@Internal) is still the operator Flink builds for
               keyedStream.connect(broadcast).process(KeyedBroadcastProcessFunction) (the second
               test here), its constructor still takes the function and the broadcast state
               descriptors, and open() still creates the contexts the function's state and timers
               use: savepoints must move between Flink's operator and this one.
            2. AbstractStreamOperator.processWatermark still advances timeServiceManager (firing the
               due event-time timers) and then emits the watermark, with interruptible timers off:
               the operator replays that order with the step batch in between.
            3. prepareSnapshotPreBarrier still runs before the barrier is forwarded: a batch must
               not straddle a checkpoint, and the evaluation records written there must belong to
               the checkpoint whose state they describe (StreamRecord, @Internal, still wraps what
               an operator emits through its output).
            4. TimestampedCollector (@Internal).setAbsoluteTimestamp still stamps what it emits.
            5. The keyed state backend's getKeys(state, VoidNamespace.INSTANCE) still lists this
               subtask's keys with a value in that state (the openSequences gauge after a restore,
               and the count of keys whose timers wait for a model version).
            6. PojoSerializerSnapshot (@Internal) is still the snapshot class of POJO state in
               savepoints (release 0.1.0's sequence state, migrated on restore).
            7. processElement2 still receives each broadcast record, and a callback registered with
               getProcessingTimeService().registerTimer still runs on the task's mailbox thread,
               never concurrently with the function: the checks that settle model verifications
               when no event arrives (classifiers and language models) rely on it.
            Then run StepBatchingTest, SequenceClassifierFunctionTest, SlowArtifactStoreTest, EvaluateVersionsTest, LanguageModelVersionLoadingTest, StateSchemaEvolutionITCase,
            the reliability ITCases, and OperatorBenchmark before and after the upgrade in one run.
            """;

    @Test
    void flinkIsTheVersionTheOperatorAdapterWasCheckedAgainst() {
        String flink = EnvironmentInformation.getVersion();
        assertThat(flink).as(CHECKLIST, flink, CHECKED_AGAINST).isEqualTo(CHECKED_AGAINST);
    }

    @Test
    void flinkBuildsTheOperatorTheAdapterExtendsForAKeyedBroadcastFunction() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        MapStateDescriptor<String, String> broadcastState =
                new MapStateDescriptor<>("broadcast", Types.STRING, Types.STRING);
        BroadcastStream<String> broadcast = env.fromData("b").broadcast(broadcastState);
        DataStream<String> processed =
                env.fromData("a")
                        .keyBy(value -> value, Types.STRING)
                        .connect(broadcast)
                        .process(new Echo());

        processed.sinkTo(new DiscardingSink<>());

        List<Class<?>> operators =
                env.getStreamGraph().getStreamNodes().stream()
                        .map(StreamNode::getOperatorFactory)
                        .filter(SimpleOperatorFactory.class::isInstance)
                        .map(factory -> ((SimpleOperatorFactory<?>) factory).getOperator())
                        .filter(AbstractUdfStreamOperator.class::isInstance)
                        .filter(
                                o ->
                                        ((AbstractUdfStreamOperator<?, ?>) o).getUserFunction()
                                                instanceof Echo)
                        .<Class<?>>map(Object::getClass)
                        .toList();
        assertThat(operators)
                .as(CHECKLIST, EnvironmentInformation.getVersion(), CHECKED_AGAINST)
                .containsExactly(CoBroadcastWithKeyedOperator.class);
        assertThat(KeyedBroadcastOperator.class.getSuperclass())
                .isEqualTo(CoBroadcastWithKeyedOperator.class);
        for (Class<?> operator :
                List.of(
                        SequenceClassifierOperator.class,
                        EvaluateVersionsOperator.class,
                        LanguageModelOperator.class)) {
            assertThat(operator.getSuperclass()).isEqualTo(KeyedBroadcastOperator.class);
        }
    }

    /** A keyed broadcast function that does nothing: only the operator Flink builds matters. */
    private static final class Echo
            extends KeyedBroadcastProcessFunction<String, String, String, String> {
        @Override
        public void processElement(String value, ReadOnlyContext ctx, Collector<String> out) {
            out.collect(value);
        }

        @Override
        public void processBroadcastElement(String value, Context ctx, Collector<String> out) {}
    }
}
