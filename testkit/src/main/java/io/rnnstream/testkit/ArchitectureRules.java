package io.rnnstream.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Rules every module's ArchitectureTest checks against the classes on its own classpath:
 * {@code @ArchTest static final ArchTests shared = ArchTests.in(ArchitectureRules.class);}
 */
public final class ArchitectureRules {

    private ArchitectureRules() {}

    /** The production code of the jobs and the command line (the test kit is not). */
    private static final String[] PRODUCTION = {
        "io.rnnstream.stream..",
        "io.rnnstream.retrain..",
        "io.rnnstream.cli..",
        "io.rnnstream.demo.."
    };

    private static final String KAFKA_SINK_CONTEXT =
            "org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema$KafkaSinkContext";

    /**
     * Model artifacts and checkpoints are untrusted input; DL4J's ModelSerializer runs Java
     * deserialization on some zip entries. (model-core's own ArchitectureTest covers its classes.)
     */
    @ArchTest
    public static final ArchRule nothingDeserializesJavaObjectsOrUsesDl4jModelSerializer =
            noClasses()
                    .that()
                    .resideInAPackage("io.rnnstream..")
                    .and()
                    .haveSimpleNameNotEndingWith("Test")
                    .should()
                    .dependOnClassesThat()
                    .areAssignableTo("java.io.ObjectInputStream")
                    .orShould()
                    .dependOnClassesThat()
                    .haveFullyQualifiedName("org.deeplearning4j.util.ModelSerializer");

    /**
     * No packages of the jobs, the command line or the test kit depend on each other in a cycle.
     */
    @ArchTest
    public static final ArchRule packagesAreFreeOfCycles =
            slices().matching("io.rnnstream.(**)")
                    .that(
                            DescribedPredicate.describe(
                                    "are not model-core's (its own ArchitectureTest covers it)",
                                    slice -> !slice.getNamePart(1).startsWith("core")))
                    .should()
                    .beFreeOfCycles();

    /**
     * Flink's {@code @Internal} types may change in any release: one class touches them, the
     * adapter of Flink's keyed broadcast operator that the classifier (step batches), the live
     * evaluation (records before the checkpoint barrier) and the language models (version checks
     * outside any key) build on, so that a Flink upgrade has one place to check
     * (FlinkInternalsUpgradeTest lists what).
     */
    @ArchTest
    public static final ArchRule onlyTheOperatorAdapterTouchesFlinkInternals =
            noClasses()
                    .that()
                    .resideInAnyPackage(PRODUCTION)
                    .and()
                    .haveNameNotMatching(
                            "io\\.rnnstream\\.stream\\.flink\\.KeyedBroadcastOperator(\\$.*)?")
                    .should()
                    .dependOnClassesThat(
                            DescribedPredicate.describe(
                                    "are annotated with Flink's @Internal (except the sink context"
                                            + " the connector's public KafkaRecordSerializationSchema"
                                            + " names in its signature)",
                                    type ->
                                            type.isAnnotatedWith(
                                                            "org.apache.flink.annotation.Internal")
                                                    && !type.getName().equals(KAFKA_SINK_CONTEXT)));

    /**
     * Production code never reaches for a test framework: no JUnit, no Flink or Kafka test kit (the
     * demo's broker comes through this test kit, which is the one place allowed to).
     */
    @ArchTest
    public static final ArchRule productionCodeUsesNoTestFramework =
            noClasses()
                    .that()
                    .resideInAnyPackage(PRODUCTION)
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "org.junit..",
                            "org.apache.flink.test..",
                            "org.apache.flink.streaming.util..",
                            "org.apache.kafka.common.test..");
}
