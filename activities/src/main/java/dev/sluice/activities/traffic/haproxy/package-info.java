/**
 * HAProxy as a {@link dev.sluice.ports.TrafficRouter}: {@link
 * dev.sluice.activities.traffic.haproxy.HaproxyRouter} drives a backend per pool (or one backend)
 * through the runtime API ({@link dev.sluice.activities.traffic.haproxy.HaproxyRuntimeApi}): server
 * states and weights for rolling and canary steps, a map entry for blue-green switches; {@link
 * dev.sluice.activities.traffic.haproxy.HaproxyConfig} renders a config the router can drive (for a
 * user's own HAProxy, from a service definition). {@code HaproxyInstance}, in this package's test
 * sources (shipped in activities' test-jar), runs a real HAProxy on such a config as a child
 * process for tests, benchmarks and the demo.
 */
package dev.sluice.activities.traffic.haproxy;
