package dev.sluice.api.services;

import java.util.Map;

/** A stored service: its name, definition and links. */
public record ServiceView(String name, ServiceSpec definition, Map<String, String> links) {}
