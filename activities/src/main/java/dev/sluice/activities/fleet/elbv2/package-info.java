/**
 * An ELBv2 target group's registered targets as a {@link dev.sluice.ports.FleetSource}: {@link
 * dev.sluice.activities.fleet.elbv2.Elbv2FleetSource} reads {@code DescribeTargetHealth} and, for
 * instance targets, the instances' addresses and zones through EC2.
 */
package dev.sluice.activities.fleet.elbv2;
