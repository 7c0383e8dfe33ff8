package dev.sluice.flags.openfeature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.flags.FlagDefinitionException;
import org.junit.jupiter.api.Test;

/** Which flags a new snapshot changed. */
class SnapshotTest {

  @Test
  void changedKeysAreTheAddedRemovedAndChangedFlags() throws Exception {
    Snapshot before = Snapshot.parse("\"1\"", Docs.bannerAndOther(true, "red"));

    assertThat(Snapshot.parse("\"2\"", Docs.bannerAndOther(true, "blue")).changedSince(before))
        .containsExactly("other");
    assertThat(Snapshot.parse("\"2\"", Docs.banner(true)).changedSince(before))
        .containsExactly("other");
    assertThat(Snapshot.parse("\"2\"", Docs.banner(false)).changedSince(before))
        .containsExactly("banner", "other");
    assertThat(before.changedSince(null)).containsExactly("banner", "other");
  }

  @Test
  void aChangeOutsideTheFlagsChangesThemAll() throws Exception {
    Snapshot before = Snapshot.parse("\"1\"", Docs.bannerAndOther(true, "red"));
    String withMetadata =
        Docs.bannerAndOther(true, "red").replaceFirst("\\{", "{\"metadata\": {\"v\": 2},");

    assertThat(Snapshot.parse("\"2\"", withMetadata).changedSince(before))
        .containsExactly("banner", "other");
  }

  @Test
  void aDocumentThatIsNotJsonIsADefinitionProblem() {
    assertThatThrownBy(() -> Snapshot.parse(null, "{nope"))
        .isInstanceOf(FlagDefinitionException.class)
        .hasMessageContaining("not valid JSON");
  }
}
