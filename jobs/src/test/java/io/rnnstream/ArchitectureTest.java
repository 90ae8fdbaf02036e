package io.rnnstream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The streaming job serves in plain Java: it must never need DL4J or ND4J at run time, and nothing
 * deserializes Java objects.
 */
class ArchitectureTest {

    /** Imported once: scanning the classpath (ND4J's jars included) takes most of the time. */
    private static final JavaClasses classes =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("io.rnnstream");

    @Test
    void theStreamingJobDoesNotDependOnDl4jOrNd4j() {
        noClasses()
                .that()
                .resideInAPackage("io.rnnstream.stream..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.deeplearning4j..", "org.nd4j..", "io.rnnstream.core.train..")
                .check(classes);
    }

    @Test
    void theServingPathOfModelCoreDoesNotDependOnDl4jOrNd4j() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.rnnstream.core.serving..",
                        "io.rnnstream.core.artifact..",
                        "io.rnnstream.core.text..",
                        "io.rnnstream.core.model..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.deeplearning4j..", "org.nd4j..")
                .check(classes);
    }

    /**
     * Model artifacts and checkpoints are untrusted input; DL4J's ModelSerializer runs Java
     * deserialization on some zip entries. (model-core's own ArchitectureTest covers its classes.)
     */
    @Test
    void nothingDeserializesJavaObjectsOrUsesDl4jModelSerializer() {
        noClasses()
                .that()
                .resideInAPackage("io.rnnstream..")
                .and()
                .haveSimpleNameNotEndingWith("Test")
                .should()
                .dependOnClassesThat()
                .areAssignableTo(java.io.ObjectInputStream.class)
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("org.deeplearning4j.util.ModelSerializer")
                .check(classes);
    }
}
