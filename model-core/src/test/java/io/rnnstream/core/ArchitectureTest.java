package io.rnnstream.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.io.ObjectInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps model-core's layering honest: only {@code train} may touch DL4J/ND4J, nothing touches
 * Flink, nothing runs Java deserialization, and only the vector kernels name incubator types.
 */
class ArchitectureTest {

    private static final String[] DL4J_FREE_PACKAGES = {
        "io.rnnstream.core.model..",
        "io.rnnstream.core.serving..",
        "io.rnnstream.core.artifact..",
        "io.rnnstream.core.data..",
        "io.rnnstream.core.eval..",
        "io.rnnstream.core.text.."
    };

    private static final ArchRule SERVING_SIDE_IS_FREE_OF_DL4J_AND_FLINK =
            noClasses()
                    .that()
                    .resideInAnyPackage(DL4J_FREE_PACKAGES)
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage("org.deeplearning4j..", "org.nd4j..", "org.apache.flink..")
                    .because("the streaming job serves models without DL4J on its classpath");

    private static final ArchRule NOTHING_DEPENDS_ON_FLINK =
            noClasses()
                    .that()
                    .resideInAPackage("io.rnnstream.core..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("org.apache.flink..")
                    .because("model-core knows nothing of Flink");

    private static final ArchRule NO_JAVA_DESERIALIZATION =
            noClasses()
                    .that()
                    .resideInAPackage("io.rnnstream.core..")
                    .should()
                    .dependOnClassesThat()
                    .areAssignableTo(ObjectInputStream.class)
                    .because("artifacts are untrusted input");

    private static final ArchRule ONLY_THE_VECTOR_KERNELS_NAME_INCUBATOR_TYPES =
            noClasses()
                    .that()
                    .resideInAPackage("io.rnnstream.core..")
                    .and()
                    .doNotHaveSimpleName("VectorLayerPlan")
                    .and()
                    .doNotHaveSimpleName("VectorLayerStep")
                    .and()
                    .doNotHaveSimpleName("VectorMath")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("jdk.incubator.vector..")
                    .because(
                            "ServingPath loads those three only when the JVM has the module;"
                                    + " anything else naming an incubator type would fail to link"
                                    + " without it");

    private static JavaClasses mainClasses;

    @BeforeAll
    static void importMainClasses() {
        mainClasses =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.rnnstream.core");
    }

    @Test
    void importsTheMainClassesOfEveryPackage() {
        assertThat(mainClasses.stream().map(c -> c.getPackageName()).distinct())
                .contains(
                        "io.rnnstream.core.model",
                        "io.rnnstream.core.serving",
                        "io.rnnstream.core.artifact",
                        "io.rnnstream.core.data",
                        "io.rnnstream.core.eval",
                        "io.rnnstream.core.text",
                        "io.rnnstream.core.train");
        assertThat(mainClasses.stream().map(c -> c.getSimpleName()))
                .doesNotContain(ArchitectureTest.class.getSimpleName());
    }

    @Test
    void servingSideDependsOnNeitherDl4jNorFlink() {
        SERVING_SIDE_IS_FREE_OF_DL4J_AND_FLINK.check(mainClasses);
    }

    @Test
    void nothingInModelCoreDependsOnFlink() {
        NOTHING_DEPENDS_ON_FLINK.check(mainClasses);
    }

    @Test
    void onlyTheVectorKernelsNameIncubatorTypes() {
        ONLY_THE_VECTOR_KERNELS_NAME_INCUBATOR_TYPES.check(mainClasses);
        // Not vacuous: the vector kernels themselves do name them.
        assertThat(
                        noClasses()
                                .should()
                                .dependOnClassesThat()
                                .resideInAPackage("jdk.incubator.vector..")
                                .evaluate(mainClasses)
                                .hasViolation())
                .isTrue();
    }

    @Test
    void nothingInModelCoreUsesObjectInputStream() {
        NO_JAVA_DESERIALIZATION.check(mainClasses);
    }

    @Test
    void dependencyRuleCatchesTheTrainingPackage() {
        // The same rule applied to train, which does use DL4J, must report violations; otherwise
        // the rules above could pass vacuously.
        ArchRule trainIsDl4jFree =
                noClasses()
                        .that()
                        .resideInAPackage("io.rnnstream.core.train..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage("org.deeplearning4j..", "org.nd4j..");

        assertThat(trainIsDl4jFree.evaluate(mainClasses).hasViolation()).isTrue();
    }
}
