package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A coarse guard for the allocation-free hot path (JMH measures it properly): two targeting rules
 * and a fractional split, evaluated many times, allocate (next to) nothing on this thread.
 */
class HotPathAllocationTest {

  private static final String DOC =
      """
      {"flags": {"new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false},
        "defaultVariant": "off",
        "targeting": {"if": [
          {"in": [{"var": "email"}, ["a@example.com", "b@example.com"]]}, "on",
          {"ends_with": [{"var": "email"}, "@staff.example.com"]}, "on",
          {"fractional": [["on", 10], ["off", 90]]}
        ]}}}}
      """;

  @Test
  void evaluatingACompiledFlagAllocatesNothing() throws FlagDefinitionException {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    FlagEngine engine = FlagEngine.parse(DOC);
    EvaluationContext[] contexts = new EvaluationContext[64];
    for (int i = 0; i < contexts.length; i++) {
      contexts[i] =
          EvaluationContext.builder()
              .targetingKey("user-" + i)
              .put("email", "user" + i + "@customer.example.org")
              .build();
    }
    int on = 0;
    for (int i = 0; i < 200_000; i++) { // warm up
      on += engine.evaluate("new-checkout", Boolean.class, contexts[i & 63]).value() ? 1 : 0;
    }
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 100_000; i++) {
      on += engine.evaluate("new-checkout", Boolean.class, contexts[i & 63]).value() ? 1 : 0;
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertThat(on).isPositive();
    assertThat(allocated).as("bytes allocated by 100k evaluations").isLessThan(10_000);
  }
}
