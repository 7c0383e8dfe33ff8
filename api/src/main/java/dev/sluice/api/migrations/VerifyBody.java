package dev.sluice.api.migrations;

/** {@code checksums}: compare every copied value with its source before the gate. */
public record VerifyBody(Boolean checksums) {}
