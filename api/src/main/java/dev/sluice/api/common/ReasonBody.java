package dev.sluice.api.common;

/**
 * Optional body of a control that takes nothing but why: a flag's kill switch, restore and delete,
 * a migration's or a release's pause, resume and abort. The reason reaches the audit trail.
 */
public record ReasonBody(String reason) {}
