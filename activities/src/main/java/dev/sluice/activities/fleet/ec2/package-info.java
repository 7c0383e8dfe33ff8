/**
 * EC2 instances as a {@link dev.sluice.ports.FleetSource}: {@link
 * dev.sluice.activities.fleet.ec2.Ec2FleetSource} finds a service's instances by tags and state,
 * each a target at its private or public address, in its availability zone, in the pool its tag
 * names; {@link dev.sluice.activities.fleet.ec2.Ec2Instances} makes the {@code DescribeInstances}
 * calls (also for the {@code elbv2} source's instance targets).
 */
package dev.sluice.activities.fleet.ec2;
