package dev.sluice.flags.openfeature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.sluice.flags.FlagDefinitionException;
import dev.sluice.flags.RejectedFlag;
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

  @Test
  void aFlagThatDoesNotCompileIsRejectedAndTheOthersAreServed() throws Exception {
    String doc =
        Docs.banner(true)
            .replaceFirst(
                "\\{\"flags\": \\{",
                "{\"flags\": {\"broken\": {\"state\": \"ENABLED\", \"variants\": {\"a\": 1},"
                    + " \"defaultVariant\": \"a\", \"targeting\": {\"nope\": []}},");
    Snapshot snapshot = Snapshot.parse("\"1\"", doc);

    assertThat(snapshot.engine().flagKeys()).containsExactly("banner");
    assertThat(snapshot.engine().rejected())
        .extracting(RejectedFlag::key)
        .containsExactly("broken");

    SluiceProvider provider = SluiceProvider.ofDocument(doc);
    ProviderEvaluation<Integer> broken =
        provider.getIntegerEvaluation("broken", 5, new ImmutableContext());
    assertThat(broken.getValue()).isEqualTo(5);
    assertThat(broken.getErrorCode()).isEqualTo(ErrorCode.PARSE_ERROR);
    assertThat(broken.getErrorMessage()).contains("flags.broken.targeting.nope");
    assertThat(
            provider.getBooleanEvaluation("banner", false, new ImmutableContext()).getErrorCode())
        .isNull();
  }
}
