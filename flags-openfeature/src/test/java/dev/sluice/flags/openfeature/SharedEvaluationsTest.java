package dev.sluice.flags.openfeature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.NoOpProvider;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The provider hands out one {@link ProviderEvaluation} per flag outcome instead of one per call:
 * nothing allocated per successful evaluation, each caller still answered its own outcome, and the
 * shared evaluations cannot be changed by whoever receives one.
 */
class SharedEvaluationsTest {

  @Test
  void everyEvaluationLandingOnAnOutcomeGetsItsOneEvaluation() throws Exception {
    SluiceProvider provider = SluiceProvider.ofDocument(Docs.MAPPING);
    Set<ProviderEvaluation<String>> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < 1_000; i++) {
      distinct.add(
          provider.getStringEvaluation("split", "none", new ImmutableContext("user-" + i)));
    }
    // 1,000 targeting keys, two variants: two evaluations, one per outcome.
    assertThat(distinct).hasSize(2);
    assertThat(distinct)
        .extracting(ProviderEvaluation::getVariant)
        .containsExactlyInAnyOrder("a", "b");
  }

  /**
   * Flags that read no context, so that only the provider's own allocation counts: the SDK's {@code
   * ImmutableContext} clones a {@code Value} each time its targeting key or an attribute is read
   * (16 B, unless the JIT removes it), which is the SDK's and not measured here.
   */
  @Test
  void successfulEvaluationsOfFlagsReadingNoContextValueAllocateNothing() throws Exception {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    SluiceProvider provider = SluiceProvider.ofDocument(Docs.MAPPING);
    ImmutableContext context = new ImmutableContext("user-1");
    int on = 0;
    for (int i = 0; i < 200_000; i++) { // warm up
      on += evaluateBoth(provider, context);
    }
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 100_000; i++) {
      on += evaluateBoth(provider, context);
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertThat(on).isEqualTo(300_000);
    // A ProviderEvaluation is 40 bytes: one per call would be 8 MB here.
    assertThat(allocated).as("bytes allocated by 200k evaluations").isLessThan(10_000);
  }

  /** A static boolean flag and a static number flag; 1 when the boolean is on. */
  private static int evaluateBoth(SluiceProvider provider, ImmutableContext context) {
    provider.getIntegerEvaluation("limits", 0, context); // its rule reads "seats": absent
    return provider.getBooleanEvaluation("static-bool", false, context).getValue() ? 1 : 0;
  }

  @Test
  void everyCallerIsAnsweredItsOwnOutcomeThroughTheClient() throws Exception {
    String domain = "shared-" + UUID.randomUUID();
    OpenFeatureAPI.getInstance()
        .setProviderAndWait(domain, SluiceProvider.ofDocument(Docs.MAPPING));
    try {
      Client client = OpenFeatureAPI.getInstance().getClient(domain);
      Set<String> variants = new HashSet<>();
      for (int i = 0; i < 64; i++) {
        FlagEvaluationDetails<String> details =
            client.getStringDetails("split", "none", new ImmutableContext("user-" + i));
        assertThat(details.getValue()).isEqualTo(details.getVariant());
        assertThat(details.getReason()).isEqualTo("SPLIT");
        variants.add(details.getVariant());
      }
      assertThat(variants).containsExactlyInAnyOrder("a", "b");

      // A disabled flag answers each caller's own default: that evaluation is not shared.
      assertThat(client.getBooleanDetails("killed", true).getValue()).isTrue();
      assertThat(client.getBooleanDetails("killed", false).getValue()).isFalse();
      assertThat(client.getBooleanDetails("killed", false).getReason()).isEqualTo("DISABLED");
    } finally {
      OpenFeatureAPI.getInstance().setProviderAndWait(domain, new NoOpProvider());
    }
  }

  @Test
  void aSharedEvaluationRefusesChangesAndStaysAsItWas() throws Exception {
    SluiceProvider provider = SluiceProvider.ofDocument(Docs.MAPPING);
    ProviderEvaluation<Boolean> first =
        provider.getBooleanEvaluation("static-bool", false, new ImmutableContext());

    assertThatThrownBy(() -> first.setValue(false))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> first.setVariant("off"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> first.setReason("ERROR"))
        .isInstanceOf(UnsupportedOperationException.class);

    ProviderEvaluation<Boolean> again =
        provider.getBooleanEvaluation("static-bool", false, new ImmutableContext());
    assertThat(again).isSameAs(first);
    assertThat(again.getValue()).isTrue();
    assertThat(again.getVariant()).isEqualTo("on");
    assertThat(again.getReason()).isEqualTo("STATIC");
  }
}
