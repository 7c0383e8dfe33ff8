package dev.sluice.api.migrations;

public record ReasonBody(String reason) {}
