/**
 * HAProxy as a {@link dev.sluice.ports.TrafficRouter}: {@link
 * dev.sluice.activities.traffic.haproxy.HaproxyRouter} drives one backend through the runtime API
 * ({@link dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi}); {@link
 * dev.sluice.activities.traffic.haproxy.HaproxyInstance} runs a real HAProxy as a child process for
 * tests and demos.
 */
package dev.sluice.activities.traffic.haproxy;
