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
import dev.openfeature.sdk.Value;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Map;
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
  void aSuccessfulEvaluationAllocatesNothing() throws Exception {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    SluiceProvider provider = SluiceProvider.ofDocument(Docs.MAPPING);
    ImmutableContext[] contexts = new ImmutableContext[64];
    for (int i = 0; i < contexts.length; i++) {
      contexts[i] =
          new ImmutableContext("user-" + i, Map.of("email", new Value("u" + i + "@x.org")));
    }
    int b = 0;
    for (int i = 0; i < 200_000; i++) { // warm up
      b += evaluateBoth(provider, contexts[i & 63]);
    }
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 100_000; i++) {
      b += evaluateBoth(provider, contexts[i & 63]);
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertThat(b).as("keys split to b").isPositive();
    // A ProviderEvaluation is 40 bytes: one per call would be 8 MB here.
    assertThat(allocated).as("bytes allocated by 200k evaluations").isLessThan(10_000);
  }

  /**
   * A static flag and a split on the targeting key; 1 when the split chose "b". (A number read from
   * the context is boxed as the engine's Double as it is read: not counted here.)
   */
  private static int evaluateBoth(SluiceProvider provider, ImmutableContext context) {
    provider.getBooleanEvaluation("static-bool", false, context);
    return "b".equals(provider.getStringEvaluation("split", "none", context).getValue()) ? 1 : 0;
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
