/**
 * An AWS Application or Network Load Balancer as a {@link dev.sluice.ports.TrafficRouter}: {@link
 * dev.sluice.activities.traffic.elbv2.Elbv2Router} registers and deregisters targets in target
 * groups for rolling steps, sets a listener's (or rule's) weighted forward action over a stable and
 * a canary target group for canaries, and points it at one pool's target group for blue-green;
 * {@link dev.sluice.activities.traffic.elbv2.Elbv2Api} makes the AWS SDK v2 calls and sorts AWS's
 * errors into configuration errors and retryable ones. {@code MotoServer}, in this package's test
 * sources (shipped in activities' test-jar), runs moto in server mode as the AWS endpoint for
 * tests.
 */
package dev.sluice.activities.traffic.elbv2;
