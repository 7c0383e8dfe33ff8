package dev.sluice.api.services;

import java.util.List;

/** {@code GET /api/v1/services}. */
public record ServiceList(List<ServiceView> services) {}
