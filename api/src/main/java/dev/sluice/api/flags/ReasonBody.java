package dev.sluice.api.flags;

/** Body of the kill switch, restore and delete. */
public record ReasonBody(String reason) {}
