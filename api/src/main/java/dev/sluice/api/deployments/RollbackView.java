package dev.sluice.api.deployments;

/**
 * Answer to {@code POST /api/v1/services/{name}/rollback}.
 *
 * @param action {@code switch-back} (a blue-green deployment in its rollback window switched
 *     traffic back to the old pool) or {@code redeploy} (a new deployment of the previous version)
 * @param deploymentId the deployment switched back, or the one started
 */
public record RollbackView(String action, String deploymentId, String version, String message) {}
