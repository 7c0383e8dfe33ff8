package dev.sluice.ledger;

/**
 * Where the mutations being audited on this thread come from: the caller's role and address. The
 * API binds it for the length of one request (its resources run on the request's thread), so every
 * audit row the request writes, through whichever aggregate, carries both. Rows written by Sluice
 * itself (workers, reconciliation) have none.
 *
 * @param role the caller's role, e.g. {@code approver}
 * @param source the address the request came from
 */
public record AuditOrigin(String role, String source) {

  private static final ThreadLocal<AuditOrigin> CURRENT = new ThreadLocal<>();

  /** Binds {@code origin} to this thread until {@link #clear}. */
  public static void bind(AuditOrigin origin) {
    CURRENT.set(origin);
  }

  public static void clear() {
    CURRENT.remove();
  }

  static AuditOrigin current() {
    return CURRENT.get();
  }
}
