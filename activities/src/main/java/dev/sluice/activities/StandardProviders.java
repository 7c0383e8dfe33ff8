package dev.sluice.activities;

import dev.sluice.activities.deploy.localprocess.LocalProcessDeployer;
import dev.sluice.activities.deploy.ssh.SshDeployer;
import dev.sluice.activities.deploy.ssm.SsmDeployer;
import dev.sluice.activities.fleet.ec2.Ec2FleetSource;
import dev.sluice.activities.fleet.elbv2.Elbv2FleetSource;
import dev.sluice.activities.health.http.HttpHealthChecker;
import dev.sluice.activities.metrics.cloudwatch.CloudWatchProvider;
import dev.sluice.activities.metrics.haproxystats.HaproxyStatsProvider;
import dev.sluice.activities.metrics.prometheus.PrometheusProvider;
import dev.sluice.activities.traffic.elbv2.Elbv2Router;
import dev.sluice.activities.traffic.haproxy.HaproxyConfig;
import dev.sluice.activities.traffic.haproxy.HaproxyRouter;

/**
 * The adapters Sluice ships: one line per provider type. The {@code haproxy} router declares {@code
 * haproxy-stats} (HAProxy's own counters, read over the router's settings) as its default metrics,
 * the {@code elbv2} router {@code cloudwatch} (the load balancer's metrics of each target group).
 */
public final class StandardProviders {

  private StandardProviders() {}

  public static ProviderRegistry registry() {
    HttpHealthChecker http = new HttpHealthChecker();
    return new ProviderRegistry()
        .router(HaproxyRouter.TYPE, HaproxyRouter::fromRef, HaproxyStatsProvider.TYPE)
        .router(Elbv2Router.TYPE, Elbv2Router::fromRef, CloudWatchProvider.TYPE)
        .routerFile(HaproxyRouter.TYPE, HaproxyConfig.FILE_NAME, HaproxyConfig::renderFor)
        .deployer("local-process", LocalProcessDeployer::fromRef)
        .deployer(SshDeployer.TYPE, SshDeployer::fromRef)
        .deployer(SsmDeployer.TYPE, SsmDeployer::fromRef)
        .healthChecker("http", ref -> http)
        .metrics(HaproxyStatsProvider.TYPE, HaproxyStatsProvider::fromRef)
        .metrics(PrometheusProvider.TYPE, PrometheusProvider::fromRef)
        .metrics(CloudWatchProvider.TYPE, CloudWatchProvider::fromRef)
        .fleetSource(Ec2FleetSource.TYPE, Ec2FleetSource::fromRef)
        .fleetSource(Elbv2FleetSource.TYPE, Elbv2FleetSource::fromRef);
  }
}
