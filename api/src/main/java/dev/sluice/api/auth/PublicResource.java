package dev.sluice.api.auth;

/**
 * Marks a resource served without a token even when tokens are configured: static files that hold
 * no data (the dashboard's page and scripts, which then call the API with the user's token).
 */
public interface PublicResource {}
