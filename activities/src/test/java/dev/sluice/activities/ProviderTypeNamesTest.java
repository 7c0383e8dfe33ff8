package dev.sluice.activities;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The model and the ports name no adapter by its registered type string either (which ArchUnit's
 * class dependencies cannot see): no string literal in their class files is a type the standard
 * registry knows. {@code AnalysisConfig} used to write {@code "haproxy"} and {@code
 * "haproxy-stats"}.
 */
class ProviderTypeNamesTest {

  /**
   * Type strings that are still written in the model, each a debt: the default health check type
   * should come from the registry as the default metric provider now does.
   */
  static final Map<String, Set<String>> KNOWN =
      Map.of("dev.sluice.model.HealthCheckSpec", Set.of("http"));

  @Test
  void modelAndPortsNameNoRegisteredProviderType() {
    ProviderRegistry standard = StandardProviders.registry();
    Set<String> types = new TreeSet<>();
    types.addAll(standard.routerTypes());
    types.addAll(standard.metricTypes());
    types.addAll(standard.deployerTypes());
    types.addAll(standard.healthCheckTypes());
    types.addAll(standard.fleetSourceTypes());
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice.model", "dev.sluice.ports");
    assertThat(classes).isNotEmpty();

    List<String> named = new ArrayList<>();
    for (JavaClass type : classes) {
      Set<String> literals = stringConstants(type.getName());
      literals.retainAll(types);
      literals.removeAll(KNOWN.getOrDefault(type.getName(), Set.of()));
      literals.forEach(literal -> named.add(type.getName() + " names \"" + literal + "\""));
    }

    assertThat(named).as("provider types %s written in the model or a port", types).isEmpty();
  }

  @Test
  void theTypeCheckSeesStringConstants() {
    // Guards the check above against finding nothing because it reads nothing.
    assertThat(stringConstants("dev.sluice.model.AnalysisSpec"))
        .contains("sequential", "threshold");
    assertThat(stringConstants("dev.sluice.model.HealthCheckSpec")).contains("http");
  }

  /** The string literals in a class file's constant pool. */
  static Set<String> stringConstants(String className) {
    String resource = className.replace('.', '/') + ".class";
    try (InputStream raw =
        ProviderTypeNamesTest.class.getClassLoader().getResourceAsStream(resource)) {
      if (raw == null) {
        throw new IllegalStateException("no class file " + resource);
      }
      DataInputStream in = new DataInputStream(new BufferedInputStream(raw));
      in.readInt(); // magic
      in.readUnsignedShort(); // minor version
      in.readUnsignedShort(); // major version
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      List<Integer> strings = new ArrayList<>();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = in.readUTF();
          case 8 -> strings.add(in.readUnsignedShort());
          case 7, 16, 19, 20 -> in.readUnsignedShort();
          case 15 -> {
            in.readUnsignedByte();
            in.readUnsignedShort();
          }
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
          case 5, 6 -> {
            in.readLong();
            i++; // 8-byte constants take two slots
          }
          default -> throw new IllegalStateException(resource + ": constant pool tag " + tag);
        }
      }
      Set<String> literals = new TreeSet<>();
      strings.forEach(index -> literals.add(utf8[index]));
      return literals;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
