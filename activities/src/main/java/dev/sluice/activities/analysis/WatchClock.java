package dev.sluice.activities.analysis;

import java.util.concurrent.TimeUnit;

/**
 * The time an analysis activity watches by: when its windows end and how it waits for them. A
 * worker uses {@link #SYSTEM}; a benchmark can hand in a clock whose sleeps pass instantly, so a
 * 72-hour bake runs every one of its windows through the real activity in seconds.
 */
public interface WatchClock {

  /** The wall clock, and sleeping threads. */
  WatchClock SYSTEM =
      new WatchClock() {
        @Override
        public long millis() {
          return System.currentTimeMillis();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
          TimeUnit.MILLISECONDS.sleep(millis);
        }
      };

  /** Milliseconds since the epoch. */
  long millis();

  /** Waits {@code millis} on this clock. */
  void sleep(long millis) throws InterruptedException;
}
