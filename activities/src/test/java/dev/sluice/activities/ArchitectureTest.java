package dev.sluice.activities;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Adapters stay behind their ports: the analysis package (the judges and the activities that feed
 * them) reaches metrics only through {@code MetricProvider} and the registry, and the model and the
 * ports name no adapter class ({@link ProviderTypeNamesTest}: nor its type string).
 */
@AnalyzeClasses(packages = "dev.sluice", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** Every adapter package: anything in activities but its root and the analysis itself. */
  static final DescribedPredicate<JavaClass> ADAPTERS =
      resideInAPackage("dev.sluice.activities..")
          .and(
              DescribedPredicate.not(
                  resideInAnyPackage("dev.sluice.activities", "dev.sluice.activities.analysis..")))
          .as("reside in an adapter package (traffic.haproxy, metrics.haproxystats, deploy, ...)");

  @ArchTest
  static final ArchRule analysisImportsNoAdapter =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.activities.analysis..")
          .should()
          .dependOnClassesThat(ADAPTERS)
          .because("metrics reach the judges through MetricProvider, built by the registry");

  @ArchTest
  static final ArchRule modelAndPortsNameNoAdapterClass =
      noClasses()
          .that()
          .resideInAnyPackage("dev.sluice.model..", "dev.sluice.ports..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.sluice.activities..")
          .because("which adapter serves a port is the registry's business");
}
