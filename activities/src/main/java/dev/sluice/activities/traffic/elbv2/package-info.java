/**
 * An AWS Application or Network Load Balancer as a {@link dev.sluice.ports.TrafficRouter}: {@link
 * dev.sluice.activities.traffic.elbv2.Elbv2Router} registers and deregisters targets in target
 * groups for rolling steps, sets a listener's (or rule's) weighted forward action over a stable and
 * a canary target group for canaries, and points it at one pool's target group for blue-green;
 * {@link dev.sluice.activities.traffic.elbv2.Elbv2Api} makes the AWS SDK v2 calls (connection and
 * error sorting shared with the other AWS adapters in {@code dev.sluice.activities.aws}).
 */
package dev.sluice.activities.traffic.elbv2;
