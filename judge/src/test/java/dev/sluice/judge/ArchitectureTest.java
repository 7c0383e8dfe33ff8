package dev.sluice.judge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The judge is pure: it reads numbers and answers a verdict. No I/O, no clock, no randomness, no
 * threads, no Temporal and no adapter — so the same series always get the same answer, live or
 * replayed.
 */
@AnalyzeClasses(packages = "dev.sluice.judge", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule theJudgeDependsOnTheModelTheJdkCollectionsAndJacksonTreesOnly =
      classes()
          .that()
          .resideInAPackage("dev.sluice.judge..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "dev.sluice.judge..",
              "dev.sluice.model..",
              "java.lang",
              "java.lang.invoke",
              "java.util",
              "java.util.function",
              "java.util.stream",
              "com.fasterxml.jackson.databind")
          .because("the judge is pure statistics: the same series always get the same verdict");

  @ArchTest
  static final ArchRule theJudgeDrawsNoRandomNumbers =
      noClasses()
          .that()
          .resideInAPackage("dev.sluice.judge..")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.util.Random")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.util.UUID")
          .because("a verdict must not depend on chance");
}
