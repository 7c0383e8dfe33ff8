package dev.sluice.api.migrations;

public record GateBody(Boolean promote, String after) {}
