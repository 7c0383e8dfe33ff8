/**
 * What the deployers that run shell scripts on hosts share, whatever carries the script there
 * ({@code deploy/ssh}: an SSH session; {@code deploy/ssm}: SSM Run Command): the templates ({@link
 * dev.sluice.activities.deploy.host.HostTemplate}: docker, systemd, custom), the one script per
 * deploy with its lock, idempotency marker and history ({@link
 * dev.sluice.activities.deploy.host.RemoteScript}), the settings they read ({@link
 * dev.sluice.activities.deploy.host.HostSettings}), and how a script's answer becomes a deploy
 * result ({@link dev.sluice.activities.deploy.host.ScriptDeployer}). A new way to reach hosts
 * implements {@link dev.sluice.activities.deploy.host.HostShell}.
 */
package dev.sluice.activities.deploy.host;
