package dev.sluice.api.migrations;

import java.util.List;

public record DualWriteBody(
    String name, String flagKey, List<String> metricsUrls, String window, Double maxMismatchRate) {}
